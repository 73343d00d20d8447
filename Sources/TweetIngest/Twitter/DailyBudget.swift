import FoundationEssentials

/// Posts read on one UTC day (entries of `data[]`, records and rejects alike), saved with the
/// checkpoint so the count survives restarts and redeploys.
public struct DailyReads: Codable, Equatable, Sendable {
    /// `2026-12-03` (UTC).
    public var day: String
    public var posts: Int

    public init(day: String, posts: Int) {
        self.day = day
        self.posts = posts
    }

    /// The count for the day of `now`: zero once that day is not the saved one.
    public func posts(on now: Date) -> Int { day == UTCDay.name(now) ? posts : 0 }

    /// This count with `posts` more read at `now`; a new UTC day starts from zero.
    public static func adding(_ posts: Int, to reads: DailyReads?, at now: Date) -> DailyReads {
        let today = UTCDay.name(now)
        let before = reads.map { $0.posts(on: now) } ?? 0
        return DailyReads(day: today, posts: before + posts)
    }
}

/// `TWITTER_MAX_POSTS_PER_DAY`: how many posts the next request may read. The API returns at
/// most `max_results` posts a page and `max_results` is at least 10, so near the limit a page
/// asks for what is left, and never more than 9 posts past it are read.
public struct DailyBudget: Sendable, Equatable {
    public static let minimumPageSize = 10

    public var limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Posts still allowed today.
    public func left(_ reads: DailyReads?, now: Date) -> Int {
        max(0, limit - (reads?.posts(on: now) ?? 0))
    }

    /// The `max_results` of the next page, or nil when the day's budget is spent.
    public func pageSize(configured: Int, reads: DailyReads?, now: Date) -> Int? {
        let left = left(reads, now: now)
        guard left > 0 else { return nil }
        return max(Self.minimumPageSize, min(configured, left))
    }
}
