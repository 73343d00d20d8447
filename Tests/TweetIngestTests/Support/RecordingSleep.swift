import Foundation

/// Wall-clock time as a value the test moves: `now` closures read it, `RecordingSleep` advances it.
final class FakeWallClock: Sendable {
    /// 2026-01-02T03:04:05Z, where every fake wall clock starts.
    static let start = Date(timeIntervalSince1970: 1_767_323_045)

    private let current: Locked<Date>

    init(_ start: Date = FakeWallClock.start) { current = Locked(start) }

    var now: Date { current.value }
    var nowClosure: @Sendable () -> Date { { self.now } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A sleep closure that returns at once, records how long it was asked to sleep and, when given
/// a wall clock, moves that clock forward by the same amount (as a real sleep would).
final class RecordingSleep: Sendable {
    private let recorded = Locked<[TimeInterval]>([])
    private let clock: FakeWallClock?

    init(advancing clock: FakeWallClock? = nil) { self.clock = clock }

    var durations: [TimeInterval] { recorded.value }

    var closure: @Sendable (TimeInterval) async throws -> Void {
        { seconds in
            self.recorded.withLock { $0.append(seconds) }
            self.clock?.advance(by: seconds)
        }
    }
}
