import FoundationEssentials
import Logging

/// How many posts a day the query matches, for the daily budget's "falls out of the window"
/// warning: the average of the full UTC days counts/recent reports, asked at most once a UTC
/// day (a failed request too waits for the next day; meanwhile the answer is nil).
public actor DailyPostVolume {
    private let counts: CountsClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var askedOnDay: String?
    private var volume: Int?

    public init(counts: CountsClient, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.counts = counts
        self.logger = logger
        self.now = now
    }

    public func current() async -> Int? {
        let day = UTCDay.name(now())
        guard askedOnDay != day else { return volume }
        askedOnDay = day
        do {
            volume = Estimate.averagePerDay(try await counts.fetch(granularity: "day"))
        } catch {
            volume = nil
            logger.warning(
                "could not count the posts the query matches a day (counts/recent); the budget check tries again tomorrow",
                metadata: ["error": "\(error)"])
        }
        return volume
    }
}
