import FoundationEssentials
import Logging
import Metrics

/// A failure no retry can fix; the daemon stops with a message that says what to change.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    case notAuthorized(status: Int, String)
    case badRequest(String)

    public var description: String {
        switch self {
        case .notAuthorized(401, let text):
            "the X API rejected the bearer token (401 Unauthorized: \(text)). Check TWITTER_BEARER_TOKEN: use the app's bearer token from the developer portal, regenerated if it was revoked."
        case .notAuthorized(let status, let text):
            "the X API refused access (\(status): \(text)). The app behind TWITTER_BEARER_TOKEN must belong to a Project with access to the v2 recent search endpoint."
        case .badRequest(let text):
            "the X API rejected the request (400: \(text)). Check TWITTER_QUERY and the TWITTER_*_FIELDS / TWITTER_EXPANSIONS names."
        }
    }
}

/// How a poll cycle ended.
public enum CycleOutcome: Equatable, Sendable {
    /// Every page up to the last was taken.
    case completed(pages: Int, records: Int)
    /// Stopped early after retries ran out; the cursor keeps the gap for the next cycle.
    case interrupted(pages: Int, records: Int, reason: String)
    /// A usage cap was hit or the daily post budget is spent: poll again no earlier than this.
    /// What was not read stays in the cursor (a pending gap) and is read next.
    case paused(until: Date, reason: String)
}

/// One page as taken: its records and where the source stands once they are delivered.
public struct TakenPage: Sendable {
    public var page: NormalizedPage
    public var cursor: SearchCursor
    /// Before and after the page, for a batch cut part way into it.
    public var cursors: PageCursors
}

/// Runs recent-search poll cycles: pages with `next_token` under one `since_id`, obeys rate
/// limits, retries what is transient and stops on what is not.
public struct RecentSearchPoller: Sendable {
    public typealias Sleep = @Sendable (TimeInterval) async throws -> Void

    public let client: any HTTPClient
    public let builder: RecentSearchRequestBuilder
    public let startTime: Config.StartTime
    public let logger: Logger
    public let now: @Sendable () -> Date
    public let sleep: Sleep
    public let random: @Sendable () -> Double
    public var backoff = Backoff()
    public var maxAttempts = 5
    /// Pages note where their records' large values are (`RecordSpan`): Parquet output.
    public var notesSpans = false
    /// When a Monthly usage cap lifts, from the usage endpoint; nil: look again in an hour.
    public var monthlyCapReset: @Sendable () async -> Date? = { nil }
    /// Posts a day the query matches (counts endpoint); nil when unknown. Asked only when the
    /// daily budget is reached, to say how much falls out of the 7-day window unread.
    public var dailyPostVolume: @Sendable () async -> Int? = { nil }
    /// Where the source stands: everything before it has been handed to the buffer.
    public private(set) var cursor: SearchCursor
    private var rateLimit = RateLimit()
    private var startTimeOverride: Date?
    /// The UTC day the "query matches more than the budget" warning was last given.
    private var volumeWarningDay: String?

    /// Recent search reaches back 7 days; a `start_time` must be inside that and 10 s old.
    static let window: TimeInterval = 7 * 86_400

    public init(
        client: any HTTPClient, builder: RecentSearchRequestBuilder, startTime: Config.StartTime, cursor: SearchCursor,
        logger: Logger, now: @escaping @Sendable () -> Date, sleep: @escaping Sleep,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.client = client
        self.builder = builder
        self.startTime = startTime
        self.cursor = cursor
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.random = random
    }

    /// Fetches every page of one cycle, handing each to `take` before asking for the next.
    public mutating func runCycle(take: (TakenPage) async throws -> Void) async throws -> CycleOutcome {
        let cycleStart = now()
        // Only posts old enough to be indexed: one indexed late is still below this cycle's
        // end, not below the next since_id.
        let endTime = cycleStart.addingTimeInterval(-Double(builder.settleSeconds))
        let start = resolvedStartTime(now: cycleStart, endTime: endTime)
        clampPendingStartTime(now: cycleStart)
        if cursor.pending == nil, let sinceID = cursor.sinceID, sinceID.snowflakeTime >= endTime {
            // TWITTER_SETTLE_SECONDS was raised since the checkpoint: nothing newer than since_id
            // is old enough yet, and the API refuses a since_id newer than end_time.
            logger.debug(
                "nothing old enough to read yet",
                metadata: ["twitter.since_id": "\(sinceID)", "twitter.end_time": "\(UTCTime(endTime).rfc3339Seconds)"])
            return .completed(pages: 0, records: 0)
        }
        let bounds = cursor.firstPageParameters(startTime: start)
        let cycleStartTime = cursor.sinceID == nil ? (cursor.pending?.startTime ?? start) : nil
        var nextToken: String?
        var pages = 0
        var records = 0
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let wait = rateLimit.waitBeforeNextRequest(now: now())
            if wait > 0 {
                logger.notice("rate-limit window used up; waiting for its reset", metadata: ["twitter.wait_seconds": "\(Int(wait))"])
                Counter(label: MetricName.rateLimitWaits.rawValue).increment()
                try await sleep(wait)
            }
            var pageSize: Int?
            if let limit = builder.maxPostsPerDay {
                let budget = DailyBudget(limit: limit)
                let readAt = now()
                guard let size = budget.pageSize(configured: builder.maxResults, reads: cursor.reads, now: readAt) else {
                    return await budgetReached(limit: limit, now: readAt)
                }
                pageSize = size
            }
            let request = builder.request(bounds: bounds, endTime: endTime, nextToken: nextToken, maxResults: pageSize)
            let failure: String
            do {
                let response = try await client.execute(request)
                rateLimit = RateLimit(response)
                Counter(label: MetricName.apiRequests.rawValue, dimensions: [("Status", String(response.status))]).increment()
                switch SearchResponse(response) {
                case .page:
                    let context = IngestContext(query: builder.query, fetchedAt: now(), source: .recentSearch)
                    switch PageNormalizer.normalize(response.body, context: context, notingSpans: notesSpans) {
                    case .success(let page):
                        if !page.partialErrors.isEmpty {
                            logger.warning(
                                "the API reported partial errors; the page is used",
                                metadata: [
                                    "twitter.errors": "\(page.partialErrors.count)", "twitter.first_error": "\(page.partialErrors[0])",
                                ])
                        }
                        var next = cursor.advanced(by: page.meta, startTime: cycleStartTime)
                        if builder.maxPostsPerDay != nil {
                            next.reads = DailyReads.adding(page.postsRead, to: cursor.reads, at: now())
                        }
                        try await take(
                            TakenPage(
                                page: page, cursor: next,
                                cursors: PageCursors(before: cursor, after: next, meta: page.meta, cycleStartTime: cycleStartTime)))
                        cursor = next
                        Counter(label: MetricName.tweetsFetched.rawValue).increment(by: page.recordCount)
                        Counter(label: MetricName.postsRead.rawValue).increment(by: page.postsRead + page.includedPostsRead)
                        Counter(label: MetricName.usersRead.rawValue).increment(by: page.usersRead)
                        pages += 1
                        records += page.recordCount
                        attempt = 0
                        guard let token = page.meta.nextToken else {
                            return .completed(pages: pages, records: records)
                        }
                        nextToken = token
                        continue
                    case .failure(let error):
                        failure = "the API answered 200 with an unusable body (\(response.body.count) bytes): \(error)"
                    }
                case .rateLimited(let until):
                    let wait = max(1, (until ?? now().addingTimeInterval(60)).timeIntervalSince(now()) + 1)
                    logger.warning(
                        "429 Too Many Requests: waiting for the rate-limit reset", metadata: ["twitter.wait_seconds": "\(Int(wait))"])
                    rateLimit = RateLimit()
                    Counter(label: MetricName.rateLimitWaits.rawValue).increment()
                    try await sleep(wait)
                    continue
                case .usageCapped(let cap):
                    return await usageCapped(cap, headerReset: RateLimit(response).reset)
                case .staleSinceID(let text):
                    let restart = cycleStart.addingTimeInterval(-Self.window + 300)
                    logger.error(
                        "the checkpoint is older than recent search's 7-day window; tweets between it and the window start may be missing. Restarting from the oldest reachable time",
                        metadata: [
                            "twitter.since_id": "\(cursor.sinceID?.description ?? "-")", "twitter.detail": "\(text)",
                            "twitter.restart_at": "\(UTCTime(restart).rfc3339Seconds)",
                        ])
                    // Tweets newer than a pending gap were taken already: keep the gap, drop only
                    // the unreachable lower bound.
                    cursor.sinceID = nil
                    if cursor.pending != nil {
                        cursor.pending?.startTime = restart
                    } else {
                        startTimeOverride = restart
                    }
                    return try await runCycle(take: take)
                case .badRequest(let text):
                    throw SearchError.badRequest(text)
                case .notAuthorized(let status, let text):
                    Counter(label: MetricName.apiAuthErrors.rawValue).increment()
                    throw SearchError.notAuthorized(status: status, text)
                case .retryable(let text):
                    failure = text
                }
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                Counter(label: MetricName.apiRequests.rawValue, dimensions: [("Status", "transport")]).increment()
                failure = "\(error.kind): \(error.message)"
            }
            attempt += 1
            guard attempt < maxAttempts else {
                logger.error(
                    "giving up this poll cycle; the next one resumes where it stopped",
                    metadata: ["twitter.attempts": "\(attempt)", "error": "\(failure)"])
                return .interrupted(pages: pages, records: records, reason: failure)
            }
            let delay = backoff.delay(attempt: attempt, unit: random())
            Counter(label: MetricName.retries.rawValue).increment()
            logger.warning(
                "request failed; retrying",
                metadata: [
                    "error": "\(failure)", "twitter.attempt": "\(attempt)", "retry.delay_seconds": "\(fixed(delay, digits: 1))",
                ])
            try await sleep(delay)
        }
    }

    /// One error line, one metric, and a pause: a cap answer is never retried in a loop, the
    /// next request is the one at the resume time.
    private func usageCapped(_ cap: UsageCap, headerReset: Date?) async -> CycleOutcome {
        let monthlyReset = cap.period == .monthly ? await monthlyCapReset() : nil
        let current = now()
        let until = cap.resumeTime(now: current, monthlyReset: monthlyReset, headerReset: headerReset)
        let resume = UTCTime(until).rfc3339Seconds
        let why: String
        switch cap.period {
        case .daily: why = "a Daily cap lifts at 00:00 UTC"
        case .monthly where (monthlyReset ?? .distantPast) > current: why = "the usage endpoint reports the cap's reset then"
        case .monthly: why = "the reset is not known, so one request an hour checks whether it has lifted"
        case .unknown:
            why = "a 429 with requests left in the window; the body does not name the period, so one request an hour checks"
        }
        Counter(label: MetricName.usageCapPauses.rawValue).increment()
        logger.error(
            "the X API's \(cap.period == .unknown ? "" : cap.period.rawValue + " ")usage cap (scope \(cap.scope ?? "not given")) is reached: polling pauses until \(resume) (\(why)); nothing is skipped, reading resumes where it stopped",
            metadata: [
                "twitter.cap_period": "\(cap.period.rawValue)", "twitter.cap_scope": "\(cap.scope ?? "-")",
                "twitter.detail": "\(cap.detail)", "poll.resume_at": "\(resume)",
            ])
        return .paused(until: until, reason: "\(cap)")
    }

    /// The day's budget is spent: one line, one metric, a pause to 00:00 UTC. The cursor keeps
    /// any pending gap, so what was not read is read next, from the API's 7-day window.
    private mutating func budgetReached(limit: Int, now current: Date) async -> CycleOutcome {
        let until = UTCDay.nextMidnight(after: current)
        let read = cursor.reads?.posts(on: current) ?? 0
        let resume = UTCTime(until).rfc3339Seconds
        Counter(label: MetricName.budgetPauses.rawValue).increment()
        logger.notice(
            "TWITTER_MAX_POSTS_PER_DAY reached: \(read) posts read today (budget \(limit)); polling pauses until \(resume), then continues where it stopped",
            metadata: ["budget.posts_read": "\(read)", "budget.limit": "\(limit)", "poll.resume_at": "\(resume)"])
        let today = UTCDay.name(current)
        if volumeWarningDay != today {
            volumeWarningDay = today
            if let volume = await dailyPostVolume(), volume > limit {
                logger.warning(
                    "TWITTER_QUERY matches about \(volume) posts a day, more than TWITTER_MAX_POSTS_PER_DAY=\(limit): about \(volume - limit) posts a day fall out of recent search's 7-day window unread. Raise the budget or narrow the query",
                    metadata: [
                        "budget.daily_volume": "\(volume)", "budget.limit": "\(limit)", "budget.unread_per_day": "\(volume - limit)",
                    ])
            }
        }
        return .paused(until: until, reason: "daily post budget of \(limit) reached (\(read) read today)")
    }

    /// A gap saved long ago may start before the 7-day window; the API would refuse it.
    private mutating func clampPendingStartTime(now: Date) {
        let earliest = now.addingTimeInterval(-Self.window + 60)
        guard cursor.sinceID == nil, let start = cursor.pending?.startTime, start < earliest else { return }
        logger.warning(
            "the unfinished cycle started before recent search's 7-day window; tweets older than the window are out of reach",
            metadata: [
                "twitter.start_time": "\(UTCTime(start).rfc3339Seconds)", "twitter.window_start": "\(UTCTime(earliest).rfc3339Seconds)",
            ])
        cursor.pending?.startTime = earliest
    }

    /// `start_time` must be inside the 7-day window and before `end_time`.
    private mutating func resolvedStartTime(now: Date, endTime: Date) -> Date {
        let wanted = startTimeOverride ?? startTime.resolve(now: now)
        startTimeOverride = nil
        let earliest = now.addingTimeInterval(-Self.window + 60)
        let latest = endTime.addingTimeInterval(-10)
        if wanted < earliest {
            logger.warning("TWITTER_START_TIME is beyond recent search's 7-day window; starting at the window's start")
            return earliest
        }
        return min(wanted, latest)
    }
}
