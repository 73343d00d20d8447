import FoundationEssentials

/// The `x-rate-limit-*` headers of a response.
public struct RateLimit: Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    /// When the 15-minute window resets.
    public var reset: Date?

    public init(limit: Int? = nil, remaining: Int? = nil, reset: Date? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    public init(_ response: HTTPResponse) {
        limit = response.header("x-rate-limit-limit").flatMap { Int($0) }
        remaining = response.header("x-rate-limit-remaining").flatMap { Int($0) }
        reset = response.header("x-rate-limit-reset").flatMap { Int($0) }.map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// How long to wait before the next request to respect the window: until the reset (plus a
    /// second of slack for clock skew) once nothing remains, otherwise nothing.
    public func waitBeforeNextRequest(now: Date) -> TimeInterval {
        guard remaining == 0, let reset else { return 0 }
        return max(0, reset.timeIntervalSince(now) + 1)
    }
}

/// Capped exponential backoff with full jitter (AWS's recommendation): attempt n waits a random
/// time in [floor, min(cap, base * 2^n)]; the small floor keeps a retry from ever spinning.
public struct Backoff: Sendable {
    public var base: TimeInterval
    public var cap: TimeInterval

    public init(base: TimeInterval = 1, cap: TimeInterval = 60) {
        self.base = base
        self.cap = cap
    }

    /// `unit` is a random number in [0, 1), injected so tests are exact.
    public func delay(attempt: Int, unit: Double) -> TimeInterval {
        let ceiling = min(cap, base * Double(1 << min(max(attempt, 0), 30)))
        return max(base / 10, ceiling * min(max(unit, 0), 1))
    }
}
