import Testing

@testable import TweetIngest

/// An instant `seconds` after the manual clock's zero.
func at(_ seconds: Double) -> ManualClock.Instant { ManualClock.Instant(offset: .milliseconds(Int64(seconds * 1000))) }

@Suite("Flush policy")
struct FlushPolicyTests {
    private typealias Policy = FlushPolicy<ManualClock.Instant>

    @Test func flushesForSizeWhenTheBufferReachesMaxBytes() {
        var policy = Policy(maxBytes: 100, interval: .seconds(300))
        let first = policy.appended(bytes: 60, at: at(0))
        let almost = policy.appended(bytes: 39, at: at(1))
        let full = policy.appended(bytes: 1, at: at(2))
        #expect(first == .wait(until: at(300)))
        #expect(almost == .wait(until: at(300)))
        #expect(full == .flush(.size))
    }

    @Test func flushesWhenIntervalElapses() {
        var policy = Policy(maxBytes: 1000, interval: .seconds(300))
        _ = policy.appended(bytes: 10, at: at(5))
        #expect(policy.check(now: at(304.999)) == .wait(until: at(305)))
        #expect(policy.check(now: at(305)) == .flush(.interval))
        #expect(policy.check(now: at(900)) == .flush(.interval))
    }

    @Test func waitsUntilTheOldestRecordsDeadline() {
        var policy = Policy(maxBytes: 1000, interval: .seconds(60))
        _ = policy.appended(bytes: 10, at: at(10))
        let later = policy.appended(bytes: 10, at: at(50))
        #expect(later == .wait(until: at(70)))
        #expect(policy.deadline == at(70))
        #expect(policy.check(now: at(69)) == .wait(until: at(70)))
    }

    @Test func waitsForNothingWhenNothingIsBuffered() {
        let policy = Policy(maxBytes: 100, interval: .seconds(300))
        #expect(policy.check(now: at(10_000)) == .wait(until: nil))
        #expect(policy.cycleCompleted(now: at(10_000)) == .wait(until: nil))
        #expect(policy.deadline == nil)
    }

    @Test func zeroIntervalFlushesOnlyAtTheEndOfACycle() {
        var policy = Policy(maxBytes: 1000, interval: .zero)
        let appended = policy.appended(bytes: 10, at: at(0))
        #expect(appended == .wait(until: nil))
        #expect(policy.check(now: at(3600)) == .wait(until: nil))
        #expect(policy.cycleCompleted(now: at(3600)) == .flush(.cycleEnd))
        let full = policy.appended(bytes: 990, at: at(3601))
        #expect(full == .flush(.size), "size still applies with an interval of 0")
    }

    @Test func cycleEndWithAnIntervalWaitsForTheInterval() {
        var policy = Policy(maxBytes: 1000, interval: .seconds(300))
        _ = policy.appended(bytes: 10, at: at(0))
        #expect(policy.cycleCompleted(now: at(60)) == .wait(until: at(300)))
        #expect(policy.cycleCompleted(now: at(300)) == .flush(.interval))
    }

    @Test func flushingEmptiesTheBufferAndClearsTheDeadline() {
        var policy = Policy(maxBytes: 100, interval: .seconds(300))
        _ = policy.appended(bytes: 99, at: at(0))
        policy.flushed()
        #expect(policy.bufferedBytes == 0)
        #expect(policy.deadline == nil)
        let next = policy.appended(bytes: 99, at: at(400))
        #expect(next == .wait(until: at(700)), "the next record starts a new interval and a new size count")
    }

    @Test func zeroIntervalHasNoDeadline() {
        var policy = Policy(maxBytes: 1000, interval: .zero)
        _ = policy.appended(bytes: 10, at: at(0))
        #expect(policy.deadline == nil)
    }
}
