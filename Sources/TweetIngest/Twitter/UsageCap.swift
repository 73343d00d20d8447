import FoundationEssentials

/// A usage cap the X API reported: the project or account has read all it may for a period.
///
/// The body says so first (`type` ending in `/problems/usage-capped` or `title`
/// `UsageCapExceeded`, with `period` and `scope`), whatever the rate-limit headers say; a 429
/// whose body says nothing is a cap only when requests remain in the 15-minute window.
public struct UsageCap: Sendable, Equatable, CustomStringConvertible {
    public enum Period: String, Sendable, Equatable {
        case daily = "Daily"
        case monthly = "Monthly"
        /// The body did not say (a cap recognised from the headers alone).
        case unknown = "unknown"
    }

    public var period: Period
    /// `Account` or `Product` as the API says it; nil when the body does not.
    public var scope: String?
    /// The API's own words (`title`, `detail`).
    public var detail: String

    public init(period: Period, scope: String?, detail: String) {
        self.period = period
        self.scope = scope
        self.detail = detail
    }

    /// The cap the problem body describes, or nil when it is not a usage-cap problem.
    init?(problem: APIProblem) {
        let typeSaysCap = problem.type.map { $0.hasSuffix("/problems/usage-capped") } ?? false
        guard typeSaysCap || problem.title == "UsageCapExceeded" else { return nil }
        switch problem.period?.lowercased() {
        case "daily": period = .daily
        case "monthly": period = .monthly
        default: period = .unknown
        }
        scope = problem.scope
        detail = problem.summary
    }

    public var description: String {
        let kind = period == .unknown ? "usage cap" : "\(period.rawValue) usage cap"
        return "\(kind) (scope \(scope ?? "not given")): \(detail)"
    }

    /// When to ask again: a Daily cap lifts at the next 00:00 UTC; a Monthly one at the reset
    /// the usage endpoint reports, else we look once an hour; an unknown one once an hour, or at
    /// the rate-limit reset if that is later.
    public func resumeTime(now: Date, monthlyReset: Date?, headerReset: Date?) -> Date {
        let hourLater = now.addingTimeInterval(3600)
        switch period {
        case .daily:
            return UTCDay.nextMidnight(after: now)
        case .monthly:
            if let monthlyReset, monthlyReset > now { return monthlyReset }
            return hourLater
        case .unknown:
            return max(hourLater, headerReset ?? .distantPast)
        }
    }
}
