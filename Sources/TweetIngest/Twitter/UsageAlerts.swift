import FoundationEssentials

/// Decides when usage deserves a warning: once when it passes 80% of the cap and once at 95%,
/// per billing cycle; pure. A check that finds usage already past both warns once, at 95%.
///
/// A new cycle starts when the next reset the report names moves on (the reset day passed), or
/// when usage drops below what was last seen (a reset the report did not announce).
struct UsageAlerts: Sendable {
    static let thresholds = [80, 95]

    private var cycleReset: Date?
    private var lastUsage: Int?
    private var warned: Set<Int> = []

    /// The threshold to warn about now, if one was newly passed.
    mutating func observe(_ report: UsageReport, now: Date) -> Int? {
        let reset = report.capReset(after: now)
        if let usage = report.projectUsage, let lastUsage, usage < lastUsage {
            warned = []
        } else if reset != cycleReset, cycleReset != nil {
            warned = []
        }
        cycleReset = reset
        lastUsage = report.projectUsage ?? lastUsage
        guard let percent = report.percentUsed else { return nil }
        let passed = Self.thresholds.filter { Double($0) <= percent }
        guard let highest = passed.last, !warned.contains(highest) else { return nil }
        warned.formUnion(passed)
        return highest
    }
}
