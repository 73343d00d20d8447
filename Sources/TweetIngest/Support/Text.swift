import FoundationEssentials

// The few string helpers the daemon needs, so that it links FoundationEssentials only and not
// all of Foundation (whose conformance tables alone cost ~10 MiB of resident memory at idle).

extension StringProtocol {
    /// Without leading and trailing whitespace: spaces, tabs and line breaks (Unicode White_Space),
    /// like Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`.
    func trimmingWhitespace() -> String {
        trimming { $0.isWhitespace }
    }

    /// Without leading and trailing line breaks only; inner and outer spaces are kept.
    func trimmingLineBreaks() -> String {
        trimming { $0.isNewline }
    }

    private func trimming(_ isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// `value` with exactly `digits` digits after the decimal point, rounded half away from zero,
/// like `String(format: "%.<digits>f", value)` for the magnitudes we log (seconds, MiB).
func fixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9.0e15 else { return "\(value)" }
    let units = UInt64(scaled)
    let whole = units / UInt64(scale)
    var text = (value < 0 && units > 0 ? "-" : "") + "\(whole)"
    if digits > 0 {
        let fraction = String(units % UInt64(scale))
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}

// Substring search, compared scalar by scalar like Foundation's literal search (so "\n" is found
// inside "\r\n", which is one Character). Written out rather than taken from _StringProcessing,
// whose code would otherwise be paged in for a few calls (see "Memory" in README.md).
extension StringProtocol {
    /// The first occurrence of `target`, if any.
    func firstRange(ofText target: String) -> Range<String.Index>? {
        let scalars = unicodeScalars
        let wanted = Array(target.unicodeScalars)
        guard let first = wanted.first else { return startIndex..<startIndex }
        var start = scalars.startIndex
        while let candidate = scalars[start...].firstIndex(of: first) {
            var index = candidate
            var matched = 0
            while matched < wanted.count, index != scalars.endIndex, scalars[index] == wanted[matched] {
                scalars.formIndex(after: &index)
                matched += 1
            }
            if matched == wanted.count { return candidate..<index }
            start = scalars.index(after: candidate)
        }
        return nil
    }

    func containsText(_ target: String) -> Bool { firstRange(ofText: target) != nil }

    /// Every occurrence of `target` replaced by `replacement`.
    func replacingEvery(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(ofText: target) {
            result.unicodeScalars.append(contentsOf: rest.unicodeScalars[rest.startIndex..<range.lowerBound])
            result += replacement
            rest = rest[range.upperBound...]
        }
        result.unicodeScalars.append(contentsOf: rest.unicodeScalars)
        return result
    }
}
