import FoundationEssentials

/// UTC calendar days, the unit of the X API's Daily caps and of `TWITTER_MAX_POSTS_PER_DAY`.
public enum UTCDay {
    /// `2026-12-03`.
    public static func name(_ date: Date) -> String {
        let time = UTCTime(date)
        return "\(pad(time.year, 4))-\(pad(time.month))-\(pad(time.day))"
    }

    /// The first 00:00 UTC strictly after `date`.
    public static func nextMidnight(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        let day = (seconds / 86_400).rounded(.down)
        return Date(timeIntervalSince1970: (day + 1) * 86_400)
    }
}
