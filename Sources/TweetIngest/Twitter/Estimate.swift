import FoundationEssentials

/// What a query would read and cost, from its counts over recent search's 7-day window; pure.
///
/// - A month is 30 days: projected posts = 7-day total / 7 * 30.
/// - Users: one author read per post when `TWITTER_EXPANSIONS` has `author_id`, else none. That
///   is an upper bound for authors (X bills a user once per UTC day however many of their posts
///   are read); users from other expansions (mentions, reply and quote authors) are not counted.
/// - The budget keeps up when the busiest day fits in `TWITTER_MAX_POSTS_PER_DAY`. What does not
///   fit waits in the 7-day window; only an average day above the budget loses posts for good.
public struct Estimate: Sendable, Equatable {
    /// The posts of one UTC day; `fullDay` is false for the window's first and last day, which
    /// it covers only in part.
    public struct Day: Sendable, Equatable {
        public var date: String
        public var posts: Int
        public var fullDay: Bool
    }

    public var query: String
    public var days: [Day]
    public var total: Int
    /// The mean of the full days (or, without any, the total spread over the span covered).
    public var averagePerDay: Int
    public var busiestDay: Day?
    public var projectedPostsPerMonth: Int
    public var userReadsPerPost: Int
    public var projectedUserReadsPerMonth: Int
    public var pricePerPostRead: Double
    public var pricePerUserRead: Double
    /// US dollars, rounded to cents.
    public var projectedCostPerMonth: Double
    public var maxPostsPerDay: Int?

    public init(
        counts: CountsReport, query: String, expansions: String, pricePerPostRead: Double, pricePerUserRead: Double, maxPostsPerDay: Int?
    ) {
        self.query = query
        days = Self.days(counts.buckets)
        total = counts.total
        averagePerDay = Self.averagePerDay(counts)
        let full = days.filter(\.fullDay)
        busiestDay = (full.isEmpty ? days : full).max { $0.posts < $1.posts }
        projectedPostsPerMonth = Int((Double(total) / 7 * 30).rounded())
        userReadsPerPost = expansions.split(separator: ",").contains { $0.trimmingWhitespace() == "author_id" } ? 1 : 0
        projectedUserReadsPerMonth = projectedPostsPerMonth * userReadsPerPost
        self.pricePerPostRead = pricePerPostRead
        self.pricePerUserRead = pricePerUserRead
        let cost = Double(projectedPostsPerMonth) * pricePerPostRead + Double(projectedUserReadsPerMonth) * pricePerUserRead
        projectedCostPerMonth = (cost * 100).rounded(.toNearestOrAwayFromZero) / 100
        self.maxPostsPerDay = maxPostsPerDay
    }

    /// Nil without a budget; true when the busiest day fits in it.
    public var budgetKeepsUp: Bool? {
        guard let maxPostsPerDay else { return nil }
        return (busiestDay?.posts ?? 0) <= maxPostsPerDay
    }

    /// Posts of the busiest day beyond the budget: read on the following days.
    public var unreadOnBusiestDay: Int? {
        guard let maxPostsPerDay else { return nil }
        return max(0, (busiestDay?.posts ?? 0) - maxPostsPerDay)
    }

    /// Posts an average day brings beyond the budget: they fall out of the 7-day window unread.
    public var unreadPerDay: Int? {
        guard let maxPostsPerDay else { return nil }
        return max(0, averagePerDay - maxPostsPerDay)
    }

    /// The mean posts a day: of the full UTC days when there are any, else of the span covered.
    /// Also what the daemon compares with its daily budget.
    public static func averagePerDay(_ counts: CountsReport) -> Int {
        let days = days(counts.buckets).filter(\.fullDay)
        if !days.isEmpty {
            return Int((Double(days.reduce(0) { $0 + $1.posts }) / Double(days.count)).rounded())
        }
        guard let first = counts.buckets.first, let last = counts.buckets.last else { return 0 }
        let span = last.end.timeIntervalSince(first.start)
        return span > 0 ? Int((Double(counts.total) * 86_400 / span).rounded()) : counts.total
    }

    /// Buckets summed by the UTC date they start on; whatever the granularity, a day is full
    /// when its buckets cover all 24 hours.
    static func days(_ buckets: [CountsReport.Bucket]) -> [Day] {
        var order: [String] = []
        var posts: [String: Int] = [:]
        var covered: [String: TimeInterval] = [:]
        for bucket in buckets {
            let date = UTCDay.name(bucket.start)
            if posts[date] == nil { order.append(date) }
            posts[date, default: 0] += bucket.posts
            covered[date, default: 0] += bucket.end.timeIntervalSince(bucket.start)
        }
        return order.map { Day(date: $0, posts: posts[$0] ?? 0, fullDay: (covered[$0] ?? 0) >= 86_400) }
    }
}
