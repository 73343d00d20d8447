import Foundation
import Logging

@testable import TweetIngest

/// A `RecentSearchPoller` wired to a scripted client, a wall clock the test moves, a sleep that
/// only records, and a fixed "random" number, so every delay is a known value.
struct PollerHarness {
    static let token = "AAAAAAAAAAAAAAAAAAAAAPollerSecretToken%3Dxyz"
    static let query = "obama lang:en"

    let client: ScriptedHTTPClient
    let clock: FakeWallClock
    let sleep: RecordingSleep
    var poller: RecentSearchPoller
    /// Every page handed to `take`, over all cycles.
    private(set) var taken: [TakenPage] = []

    init(
        _ replies: [ScriptedReply], cursor: SearchCursor = SearchCursor(), startTime: Config.StartTime = .ago(seconds: 3600),
        environment: [String: String] = [:], logger: Logger = silentLogger
    ) throws {
        client = ScriptedHTTPClient(replies)
        clock = FakeWallClock()
        sleep = RecordingSleep(advancing: clock)
        let config = try Config(environment: environment)
        poller = RecentSearchPoller(
            client: client,
            builder: RecentSearchRequestBuilder(config: config.twitter, bearerToken: Secret(Self.token), query: Self.query),
            startTime: startTime, cursor: cursor, logger: logger, now: clock.nowClosure, sleep: sleep.closure,
            random: { 0.5 })
    }

    /// Runs one poll cycle, keeping what it takes.
    mutating func runCycle() async throws -> CycleOutcome {
        var pages: [TakenPage] = []
        defer { taken += pages }
        return try await poller.runCycle { pages.append($0) }
    }

    /// The ids of every record taken, in order.
    var takenIDs: [String] {
        get throws { try taken.flatMap { try jsonLines($0.page.records).map { $0["id"] as? String ?? "?" } } }
    }

    /// The query parameters of every request sent.
    var sentParameters: [[String: String]] { client.requests.map(\.queryParameters) }
}
