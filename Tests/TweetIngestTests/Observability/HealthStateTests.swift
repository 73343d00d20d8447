import Foundation
import Testing

@testable import TweetIngest

@Suite("Health state")
struct HealthStateTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func state() -> HealthState {
        HealthState(pid: 1, startedAt: start, pollIntervalSeconds: 60, bufferIntervalSeconds: 300, requestTimeoutSeconds: 30)
    }

    @Test func freshDaemonIsHealthyDuringItsFirstCycles() {
        #expect(state().problem(now: start.addingTimeInterval(200), processAlive: true) == nil)
    }

    @Test func deadProcessIsUnhealthy() {
        #expect(state().problem(now: start, processAlive: false)?.contains("not running") == true)
    }

    @Test func noCompletedPollForTooLongIsUnhealthy() {
        var health = state()
        health.lastPollAt = start
        let limit = health.pollDeadline
        #expect(health.problem(now: start.addingTimeInterval(limit - 1), processAlive: true) == nil)
        #expect(health.problem(now: start.addingTimeInterval(limit + 1), processAlive: true)?.contains("no poll cycle") == true)
    }

    @Test func waitingForARateLimitResetCountsAsProgress() {
        var health = state()
        health.lastPollAt = start
        let now = start.addingTimeInterval(health.pollDeadline + 100)
        health.waitingUntil = now.addingTimeInterval(600)
        #expect(health.problem(now: now, processAlive: true) == nil)
    }

    @Test func recordsStuckInTheBufferAreUnhealthy() {
        var health = state()
        let now = start.addingTimeInterval(1000)
        health.lastPollAt = now
        health.oldestUndeliveredAt = now.addingTimeInterval(-health.deliveryDeadline - 1)
        #expect(health.problem(now: now, processAlive: true)?.contains("waited") == true)
    }

    @Test func reporterWritesAFileTheCheckReads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reporter = HealthReporter(
            path: path,
            initial: HealthState(
                pid: getpid(), startedAt: Date(), pollIntervalSeconds: 60, bufferIntervalSeconds: 300, requestTimeoutSeconds: 30))
        reporter.update { $0.lastPollAt = Date() }
        #expect(HealthReporter.check(path: path) == nil)
        #expect(HealthReporter.check(path: path + ".missing")?.contains("no health file") == true)
    }
}
