/// Firehose's buffering hints as a pure state machine: flush when the buffered bytes reach the
/// size hint or the oldest buffered record has waited the interval, whichever comes first.
///
/// It holds no records and reads no clock: callers pass the instant, so tests step it without
/// sleeping.
public struct FlushPolicy<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Reason: String, Sendable { case size, interval, cycleEnd = "cycle-end", shutdown }

    public enum Action: Equatable, Sendable {
        case flush(Reason)
        /// Nothing to do before this instant; nil when nothing is buffered.
        case wait(until: Instant?)
    }

    public let maxBytes: Int
    public let interval: Duration
    public private(set) var bufferedBytes = 0
    public private(set) var oldestArrival: Instant?

    public init(maxBytes: Int, interval: Duration) {
        self.maxBytes = maxBytes
        self.interval = interval
    }

    /// When the interval will force a flush, if anything is buffered; never with an interval
    /// of 0, which flushes at the end of each poll cycle instead.
    public var deadline: Instant? { interval > .zero ? oldestArrival.map { $0.advanced(by: interval) } : nil }

    /// A record of `bytes` was buffered at `now`.
    public mutating func appended(bytes: Int, at now: Instant) -> Action {
        if oldestArrival == nil { oldestArrival = now }
        bufferedBytes += bytes
        if bufferedBytes >= maxBytes { return .flush(.size) }
        return check(now: now)
    }

    /// What is due at `now`.
    public func check(now: Instant) -> Action {
        guard let deadline else { return .wait(until: nil) }
        if interval > .zero, now < deadline { return .wait(until: deadline) }
        // An interval of zero waits for the end of the poll cycle, not for each record.
        if interval == .zero { return .wait(until: nil) }
        return .flush(.interval)
    }

    /// A poll cycle ended: with an interval of zero, whatever is buffered goes now.
    public func cycleCompleted(now: Instant) -> Action {
        if interval == .zero, oldestArrival != nil { return .flush(.cycleEnd) }
        return check(now: now)
    }

    /// The buffer was handed to the sink.
    public mutating func flushed() {
        bufferedBytes = 0
        oldestArrival = nil
    }
}
