import FoundationEssentials
import Logging

/// Reads and checks variables one at a time, collecting every problem instead of stopping at
/// the first, and returning a usable placeholder so the caller can go on.
struct EnvironmentReader {
    private let environment: [String: String]
    var problems: [ConfigProblem] = []
    var warnings: [String] = []

    init(_ environment: [String: String]) { self.environment = environment }

    /// The raw value; an empty or all-blank value counts as unset.
    func string(_ variable: EnvironmentVariable) -> String? {
        guard let value = environment[variable.rawValue], !value.trimmingWhitespace().isEmpty else {
            return nil
        }
        return value
    }

    mutating func fail(_ variable: EnvironmentVariable, _ value: String?, _ allowed: String) {
        let shown = variable.isSecret ? value.map { _ in "<redacted>" } : value
        problems.append(ConfigProblem(variable: variable.rawValue, value: shown, allowed: allowed))
    }

    mutating func integer(_ variable: EnvironmentVariable, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let raw = string(variable) else { return fallback }
        let trimmed = raw.trimmingWhitespace()
        guard let value = Int(trimmed), range.contains(value) else {
            fail(variable, raw, "must be a whole number from \(range.lowerBound) to \(range.upperBound) (default \(fallback))")
            return fallback
        }
        return value
    }

    /// Nil when unset; a value outside `range` is a problem (and nil, so the caller can go on).
    mutating func optionalInteger(_ variable: EnvironmentVariable, range: ClosedRange<Int>, unset: String) -> Int? {
        guard let raw = string(variable) else { return nil }
        guard let value = Int(raw.trimmingWhitespace()), range.contains(value) else {
            fail(variable, raw, "must be a whole number from \(range.lowerBound) to \(range.upperBound) (unset: \(unset))")
            return nil
        }
        return value
    }

    /// A plain decimal such as `0.005` (no exponent, no sign) within `range`.
    mutating func decimal(_ variable: EnvironmentVariable, default fallback: Double, range: ClosedRange<Double>) -> Double {
        guard let raw = string(variable) else { return fallback }
        let trimmed = raw.trimmingWhitespace()
        let plain =
            !trimmed.isEmpty && trimmed.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "." }
            && trimmed.filter { $0 == "." }.count <= 1 && trimmed != "."
        guard plain, let value = Double(trimmed), range.contains(value) else {
            fail(
                variable, raw,
                "must be a decimal number from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound)) such as 0.005 (US dollars, default \(Self.plain(fallback)))"
            )
            return fallback
        }
        return value
    }

    /// `0.005`, `10`: whole numbers without a fraction, others as Swift prints them.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ variable: EnvironmentVariable, default fallback: T) -> T
    where T.RawValue == String {
        guard let raw = string(variable) else { return fallback }
        guard let value = T(rawValue: raw.trimmingWhitespace().lowercased()) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            fail(variable, raw, "must be one of: \(names) (default \(fallback.rawValue))")
            return fallback
        }
        return value
    }

    mutating func nonEmpty(_ variable: EnvironmentVariable, default fallback: String) -> String {
        string(variable) ?? fallback
    }

    /// Trimmed (a secret mounted from a file often ends in a newline); never shown.
    mutating func bearerToken() -> Secret? {
        guard let raw = string(.twitterBearerToken) else { return nil }
        let token = raw.trimmingWhitespace()
        if token.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            fail(
                .twitterBearerToken, raw,
                "must be one line of printable characters: the bearer token exactly as the developer portal shows it")
        }
        return Secret(token)
    }

    mutating func query() -> String? {
        guard let raw = string(.twitterQuery) else { return nil }
        let query = raw.trimmingWhitespace()
        if query.count > Config.maximumQueryLength {
            fail(
                .twitterQuery, raw,
                "a recent-search query is at most \(Config.maximumQueryLength) characters, this one has \(query.count): shorten it or split it over several deployments"
            )
        }
        return query
    }

    mutating func url(_ variable: EnvironmentVariable, default fallback: String) -> String {
        guard let raw = string(variable) else { return fallback }
        var value = raw.trimmingWhitespace()
        while value.hasSuffix("/") { value.removeLast() }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", components.host?.isEmpty == false,
            components.query == nil
        else {
            fail(variable, raw, "must be an http(s) base URL such as https://api.twitter.com (default \(fallback))")
            return fallback
        }
        return value
    }

    mutating func fieldList(_ variable: EnvironmentVariable, default fallback: String) -> String {
        guard let raw = string(variable) else { return fallback }
        let names = raw.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingWhitespace()
        }
        let valid = names.allSatisfy { name in
            !name.isEmpty && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" || $0 == "." }
        }
        guard valid else {
            fail(variable, raw, "must be a comma-separated list of API field names such as created_at,lang (default \(fallback))")
            return fallback
        }
        return names.joined(separator: ",")
    }

    mutating func streamName(_ variable: EnvironmentVariable, default fallback: String) -> String {
        guard let raw = string(variable) else { return fallback }
        let valid =
            (1...64).contains(raw.count)
            && raw.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
            }
        guard valid else {
            fail(variable, raw, "must be 1 to 64 characters of letters, digits, '_', '.' or '-' (default \(fallback))")
            return fallback
        }
        return raw
    }

    mutating func startTime(_ variable: EnvironmentVariable, default fallback: String) -> Config.StartTime {
        let raw = string(variable) ?? fallback
        if let date = parseRFC3339(raw.trimmingWhitespace()) { return .at(date) }
        if let seconds = Self.parseDuration(raw), seconds <= 7 * 86_400 { return .ago(seconds: seconds) }
        fail(
            variable, raw,
            "must be an RFC 3339 time such as 2026-11-23T08:00:00Z or a duration up to 7d such as 30m, 6h, 2d (default \(fallback))"
        )
        return .ago(seconds: 3600)
    }

    /// `90s`, `30m`, `6h`, `2d`, `1h30m`: whole numbers with a unit, summed.
    static func parseDuration(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var total = 0
        var digits = ""
        for character in text.trimmingWhitespace().lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Int(digits), value <= 1_000_000 {
                total += value * unit
                digits = ""
            } else {
                return nil
            }
        }
        return digits.isEmpty && !text.isEmpty ? total : nil
    }

    mutating func logLevel(_ variable: EnvironmentVariable) -> Logger.Level {
        guard let raw = string(variable) else { return .info }
        guard let level = Logger.Level(rawValue: raw.trimmingWhitespace().lowercased()) else {
            fail(variable, raw, "must be one of: trace, debug, info, notice, warning, error, critical (default info)")
            return .info
        }
        return level
    }

    mutating func warnUnknownVariables() {
        let known = Set(EnvironmentVariable.allCases.map(\.rawValue))
        for name in environment.keys.sorted()
        where !known.contains(name) && EnvironmentVariable.ownedPrefixes.contains(where: name.hasPrefix) {
            warnings.append("\(name) is not a tweet-ingest variable and is ignored (a typo?)")
        }
    }
}
