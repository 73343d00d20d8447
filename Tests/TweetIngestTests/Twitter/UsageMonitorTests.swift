import Foundation
import Logging
import Testing

@testable import TweetIngest

@Suite("Usage monitor")
struct UsageMonitorTests {
    private let token = "AAAA%2Fusage-token"

    private static func usage(_ used: Int, of cap: Int = 100_000, resetDay: Int = 20) -> ScriptedReply {
        .ok(Array(#"{"data":{"cap_reset_day":\#(resetDay),"project_cap":"\#(cap)","project_id":"1","project_usage":"\#(used)"}}"#.utf8))
    }

    private func monitor(
        _ http: ScriptedHTTPClient, log: UsageLog = UsageLog(), clock: FakeWallClock = FakeWallClock(),
        sleep: @escaping UsageMonitor.Sleep = { _ in }, metrics: MetricsRegistry = MetricsRegistry()
    ) -> UsageMonitor {
        UsageMonitor(
            client: http, apiURL: "http://127.0.0.1:9", bearerToken: Secret(token), timeoutSeconds: 7, logger: log.logger,
            now: clock.nowClosure, sleep: sleep, metrics: metrics)
    }

    @Test func asksTheUsageEndpointWithTheBearerToken() async throws {
        let http = ScriptedHTTPClient([Self.usage(10)])
        try await monitor(http).check()
        let request = try #require(http.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == "http://127.0.0.1:9/2/usage/tweets")
        #expect(request.header("authorization") == "Bearer \(token)")
        #expect(request.timeoutSeconds == 7)
    }

    @Test func logsUsageAndSetsTheGauges() async throws {
        let log = UsageLog()
        let metrics = MetricsRegistry()
        let monitor = monitor(ScriptedHTTPClient([Self.usage(43_435, of: 15_000_000, resetDay: 10)]), log: log, metrics: metrics)
        let outcome = try await monitor.check()
        guard case .report(let report) = outcome else { Issue.record("no report: \(outcome)"); return }
        #expect(await monitor.latest == report)
        let line = try #require(log.lines.first { $0.message == "X API usage this billing cycle" })
        #expect(line.level == .info)
        #expect(line.metadata["usage.posts_read"] == "43435")
        #expect(line.metadata["usage.cap"] == "15000000")
        #expect(line.metadata["usage.percent"] == "0.3")
        #expect(line.metadata["usage.cap_reset_day"] == "10")
        #expect(line.metadata["usage.cap_reset_at"] == "2026-01-10T00:00:00Z")  // the fake clock is at 2026-01-02
        let values = metrics.snapshot()
        #expect(values[.init(name: "ProjectUsage", dimensions: [:])] == 43_435)
        #expect(values[.init(name: "ProjectCap", dimensions: [:])] == 15_000_000)
        #expect(!log.lines.contains { "\($0.metadata)".contains(token) || $0.message.contains(token) })
    }

    @Test func warnsOnceAt80AndOnceAt95Percent() async throws {
        let log = UsageLog()
        let replies = [79_000, 80_000, 85_000, 94_000, 95_500, 99_000].map { Self.usage($0) }
        let monitor = monitor(ScriptedHTTPClient(replies), log: log)
        for _ in replies { try await monitor.check() }
        #expect(log.warnings == ["X API usage passed 80% of the project's cap", "X API usage passed 95% of the project's cap"])
        #expect(log.lines.filter { $0.message == "X API usage this billing cycle" }.count == 6)
    }

    @Test func startingPast95PercentWarnsOnceAt95() async throws {
        let log = UsageLog()
        let monitor = monitor(ScriptedHTTPClient([Self.usage(96_000), Self.usage(97_000)]), log: log)
        try await monitor.check()
        try await monitor.check()
        #expect(log.warnings == ["X API usage passed 95% of the project's cap"])
    }

    @Test func aNewBillingCycleWarnsAgain() async throws {
        let log = UsageLog()
        let clock = FakeWallClock()  // 2026-01-02; the cap resets on the 20th
        let monitor = monitor(ScriptedHTTPClient([Self.usage(85_000), Self.usage(86_000), Self.usage(85_000)]), log: log, clock: clock)
        try await monitor.check()
        try await monitor.check()
        clock.advance(by: 20 * 86_400)  // past 2026-01-20: the next reset moved to February
        try await monitor.check()
        #expect(log.warnings == ["X API usage passed 80% of the project's cap", "X API usage passed 80% of the project's cap"])
    }

    @Test func usageFallingMeansTheCapWasReset() {
        var alerts = UsageAlerts()
        let now = utc("2026-01-02T00:00:00Z")
        #expect(alerts.observe(UsageReport(projectUsage: 90, projectCap: 100), now: now) == 80)
        #expect(alerts.observe(UsageReport(projectUsage: 91, projectCap: 100), now: now) == nil)
        #expect(alerts.observe(UsageReport(projectUsage: 3, projectCap: 100), now: now) == nil)
        #expect(alerts.observe(UsageReport(projectUsage: 96, projectCap: 100), now: now) == 95)
        #expect(alerts.observe(UsageReport(projectCap: 100), now: now) == nil)
    }

    @Test(arguments: [403, 404])
    func anUnavailableEndpointTurnsTheMonitorOffWithOneNotice(status: Int) async throws {
        let log = UsageLog()
        let http = ScriptedHTTPClient([
            .status(status, body: #"{"title":"Forbidden","detail":"This endpoint is not available on your plan."}"#)
        ])
        let sleeps = Locked(0)
        let monitor = monitor(http, log: log, sleep: { _ in sleeps.withLock { $0 += 1 } })
        try await monitor.run()
        #expect(http.requests.count == 1)
        #expect(sleeps.value == 0)
        #expect(await monitor.isEnabled == false)
        #expect(await monitor.latest == nil)
        let notices = log.lines.filter { $0.level == .notice }
        #expect(notices.count == 1)
        #expect(notices.first?.message.contains("usage monitoring is off") == true)
        #expect(notices.first?.metadata["usage.status"] == "\(status)")
        #expect(notices.first?.metadata["twitter.detail"]?.contains("not available on your plan") == true)
        #expect(log.lines.allSatisfy { $0.level < .warning })
        #expect(try await monitor.check() == .disabled(status: 0))
        #expect(http.requests.count == 1)
    }

    @Test func otherFailuresWarnAndTheNextCheckTriesAgain() async throws {
        let log = UsageLog()
        let http = ScriptedHTTPClient([
            .status(503, body: "{}"), .dropped("Connection refused"), .ok(Array("not json".utf8)), Self.usage(5),
        ])
        let monitor = monitor(http, log: log)
        for _ in 0..<3 {
            guard case .failed = try await monitor.check() else { Issue.record("expected a failure"); return }
        }
        #expect(await monitor.isEnabled)
        guard case .report = try await monitor.check() else { Issue.record("expected a report"); return }
        let warnings = log.lines.filter { $0.level == .warning }
        #expect(warnings.count == 3)
        #expect(warnings.allSatisfy { $0.message.contains("trying again in an hour") })
        #expect(warnings[0].metadata["error"]?.contains("HTTP 503") == true)
        #expect(warnings[1].metadata["error"]?.contains("Connection refused") == true)
    }

    @Test func checksAtStartAndThenEveryHour() async throws {
        let http = ScriptedHTTPClient([Self.usage(1), .status(500), Self.usage(3), Self.usage(4)])
        let slept = Locked<[Duration]>([])
        let monitor = monitor(
            http,
            sleep: { duration in
                let count = slept.withLock {
                    $0.append(duration)
                    return $0.count
                }
                if count == 3 { throw CancellationError() }
            })
        try await monitor.run()
        #expect(http.requests.count == 3)  // at start, after one hour, after two
        #expect(slept.value == [.seconds(3600), .seconds(3600), .seconds(3600)])
        #expect(await monitor.latest?.projectUsage == 3)
    }

    @Test func theLatestReportGivesTheMonthlyCapReset() async throws {
        let clock = FakeWallClock()
        let monitor = monitor(ScriptedHTTPClient([Self.usage(100_000, resetDay: 5)]), clock: clock)
        #expect(await monitor.latest?.capReset(after: clock.now) == nil)
        try await monitor.check()
        #expect(await monitor.latest?.capReset(after: clock.now) == utc("2026-01-05T00:00:00Z"))
    }
}

/// Every line logged, for the tests to read.
typealias UsageLog = RecordingLogHandler.Store

extension RecordingLogHandler.Store {
    /// The warning messages up to their first ";".
    var warnings: [String] {
        lines.filter { $0.level == .warning }.map { String($0.message.split(separator: ";")[0]) }
    }
}

private func utc(_ text: String) -> Date {
    guard let date = parseRFC3339(text) else { fatalError("not RFC 3339: \(text)") }
    return date
}
