import Foundation

@testable import TweetIngest

struct FakeFailure: Error, CustomStringConvertible {
    var description: String
}

/// One ordered log shared by a sink and a checkpoint store, to check what happened first.
final class EventLog: Sendable {
    private let events = Locked<[String]>([])
    func append(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.value }
}

/// A sink that keeps delivered objects in memory and can be told to fail its first writes.
final class FakeSink: Sink, Sendable {
    private let state: Locked<(failuresLeft: Int, attemptedKeys: [String], delivered: [DeliveryObject])>
    let log: EventLog

    init(failures: Int = 0, log: EventLog = EventLog()) {
        state = Locked((failures, [], []))
        self.log = log
    }

    var destination: String { "fake://sink" }
    /// Every key a write was attempted for, failed attempts included.
    var attemptedKeys: [String] { state.value.attemptedKeys }
    /// Objects whose write succeeded, in order.
    var delivered: [DeliveryObject] { state.value.delivered }
    /// The delivered bodies concatenated in delivery order.
    var deliveredBytes: [UInt8] { delivered.flatMap(\.body) }

    func deliver(_ object: DeliveryObject) async throws {
        let fail: Bool = state.withLock { state in
            state.attemptedKeys.append(object.key)
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return true
            }
            state.delivered.append(object)
            return false
        }
        if fail { throw FakeFailure(description: "FakeSink: scripted write failure for \(object.key)") }
        log.append("object \(object.key)")
    }
}

/// A checkpoint store in memory that can be told to fail its first saves.
final class FakeCheckpointStore: CheckpointStore, Sendable {
    private let state: Locked<(failuresLeft: Int, attempts: Int, saved: [Checkpoint])>
    let log: EventLog

    init(failures: Int = 0, log: EventLog = EventLog()) {
        state = Locked((failures, 0, []))
        self.log = log
    }

    var saved: [Checkpoint] { state.value.saved }
    var attempts: Int { state.value.attempts }

    func load() async throws -> Checkpoint? { state.value.saved.last }

    func save(_ checkpoint: Checkpoint) async throws {
        let fail: Bool = state.withLock { state in
            state.attempts += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return true
            }
            state.saved.append(checkpoint)
            return false
        }
        if fail { throw FakeFailure(description: "FakeCheckpointStore: scripted save failure") }
        log.append("checkpoint \(checkpoint.cursor.sinceID?.description ?? "-")")
    }
}
