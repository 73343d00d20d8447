import Foundation
import Testing

@testable import TweetIngest

/// A usage cap pauses polling until it lifts, with one request per pause and one error line.
@Suite("Usage cap pauses")
struct UsageCapPauseTests {
    private let midnight = Date(timeIntervalSince1970: 1_767_398_400)  // after FakeWallClock.start

    @Test func dailyCapWithNothingLeftInTheWindowPausesUntilMidnightUTC() async throws {
        let store = RecordingLogHandler.Store()
        var harness = try PollerHarness(
            [.response(try Fixtures.errorResponse("http429_usage_capped_daily_remaining0.EXAMPLE.json"))], logger: store.logger)
        let outcome = try await harness.runCycle()
        guard case .paused(let until, _) = outcome else {
            Issue.record("expected .paused, got \(outcome)")
            return
        }
        #expect(until == midnight)
        #expect(harness.client.requests.count == 1, "a cap answer is not retried")
        #expect(harness.sleep.durations.isEmpty, "no waiting for the 15-minute window")
        let errors = store.lines.filter { $0.level == .error }
        #expect(errors.count == 1)
        let line = try #require(errors.first)
        #expect(line.message.contains("Daily usage cap (scope Account)"))
        #expect(line.message.contains("2026-01-03T00:00:00Z"))
        #expect(line.metadata["twitter.cap_period"] == "Daily")
        #expect(line.metadata["twitter.cap_scope"] == "Account")
        #expect(line.metadata["poll.resume_at"] == "2026-01-03T00:00:00Z")
    }

    @Test func monthlyCapPausesUntilTheResetTheUsageEndpointReports() async throws {
        let reset = Date(timeIntervalSince1970: 1_768_867_200)  // 2026-01-20T00:00:00Z
        var harness = try PollerHarness([.response(try Fixtures.errorResponse("http429_usage_capped_monthly.json"))])
        harness.poller.monthlyCapReset = { reset }
        let outcome = try await harness.runCycle()
        guard case .paused(let until, let reason) = outcome else {
            Issue.record("expected .paused, got \(outcome)")
            return
        }
        #expect(until == reset)
        #expect(reason.contains("Monthly usage cap (scope Product)"))
        #expect(harness.client.requests.count == 1)
    }

    @Test func monthlyCapWithoutAKnownResetChecksOnceAnHour() async throws {
        var harness = try PollerHarness([.response(try Fixtures.errorResponse("http429_usage_capped_monthly.json"))])
        harness.poller.monthlyCapReset = { FakeWallClock.start.addingTimeInterval(-60) }  // stale: already past
        let outcome = try await harness.runCycle()
        #expect(outcome.pausedUntil == FakeWallClock.start.addingTimeInterval(3600))
        #expect(harness.client.requests.count == 1)
    }

    @Test func capFromHeadersAloneWaitsAnHourOrUntilTheWindowResetIfLater() {
        let cap = UsageCap(period: .unknown, scope: nil, detail: "x")
        let now = FakeWallClock.start
        #expect(cap.resumeTime(now: now, monthlyReset: nil, headerReset: nil) == now.addingTimeInterval(3600))
        #expect(cap.resumeTime(now: now, monthlyReset: nil, headerReset: now.addingTimeInterval(7200)) == now.addingTimeInterval(7200))
        let daily = UsageCap(period: .daily, scope: "Account", detail: "x")
        #expect(daily.resumeTime(now: now, monthlyReset: nil, headerReset: now.addingTimeInterval(5)) == midnight)
    }

    @Test func eachPauseEndsInExactlyOneRequest() async throws {
        let capped = try Fixtures.errorResponse("http429_usage_capped_monthly.json")
        var harness = try PollerHarness(Array(repeating: .response(capped), count: 3) + [.ok(Pages.page(ids: [7]))])
        var pauses: [Date] = []
        for _ in 0..<3 {
            let outcome = try await harness.runCycle()
            let until = try #require(outcome.pausedUntil)
            pauses.append(until)
            harness.clock.advance(by: until.timeIntervalSince(harness.clock.now))
        }
        #expect(harness.client.requests.count == 3)
        #expect(zip(pauses, pauses.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 3600 })
        #expect(try await harness.runCycle() == .completed(pages: 1, records: 1))
    }

    @Test func healthStaysGoodThroughAPauseAndAfterIt() {
        var state = HealthState(
            pid: 1, startedAt: FakeWallClock.start, pollIntervalSeconds: 60, bufferIntervalSeconds: 300, requestTimeoutSeconds: 30)
        state.lastPollAt = FakeWallClock.start
        state.waitingUntil = FakeWallClock.start.addingTimeInterval(20 * 86_400)
        #expect(state.problem(now: FakeWallClock.start.addingTimeInterval(10 * 86_400), processAlive: true) == nil)
        // Just after the pause ends, the first cycle still has its whole deadline.
        #expect(state.problem(now: state.waitingUntil!.addingTimeInterval(60), processAlive: true) == nil)
        #expect(state.problem(now: state.waitingUntil!.addingTimeInterval(state.pollDeadline + 1), processAlive: true) != nil)
    }
}

extension CycleOutcome {
    var pausedUntil: Date? {
        if case .paused(let until, _) = self { return until }
        return nil
    }
}
