import FoundationEssentials
import ZoneInfo

/// An S3 key prefix with Amazon Data Firehose's expressions, checked once at start-up:
/// `!{timestamp:<Java DateTimeFormatter pattern>}` (arrival of the object's oldest record, in
/// `S3_PREFIX_TIME_ZONE`), `!{firehose:random-string}` (11 random characters, new for each
/// occurrence), in the data prefix only `!{partitionKeyFromQuery:NAME}` (the value of a key of
/// `S3_PARTITION_KEYS` in the object's records) and, in the error prefix only,
/// `!{firehose:error-output-type}`. As in Firehose, a prefix without a timestamp
/// expression gets `yyyy/MM/dd/HH/` appended, and `!{` may only open an expression.
public struct S3Prefix: Sendable, Equatable, CustomStringConvertible {
    public enum Role: Sendable, Equatable {
        /// `S3_PREFIX`, for delivered records.
        case data
        /// `S3_ERROR_PREFIX`, for records set aside; expressions require error-output-type.
        case error
    }

    enum Part: Sendable, Equatable {
        case literal(String)
        case timestamp(JavaDateFormat)
        case randomString
        case errorOutputType
        case partitionKey(String)
    }

    /// As configured.
    public let text: String
    let parts: [Part]

    /// Firehose's limit on an evaluated prefix.
    public static let maximumEvaluatedLength = 512
    static let defaultTime = try! JavaDateFormat("yyyy/MM/dd/HH/")

    /// No expressions at all.
    public var isLiteral: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }
    public var hasTimestamp: Bool { parts.contains { if case .timestamp = $0 { true } else { false } } }
    /// The `partitionKeyFromQuery` names, in the order they appear.
    public var partitionKeyNames: [String] {
        parts.compactMap { if case .partitionKey(let name) = $0 { name } else { nil } }
    }
    public var description: String { text }
    /// The literal text before the first expression: every evaluated prefix starts with it.
    public var literalHead: String {
        if isLiteral { return text }
        if case .literal(let head) = parts.first { return head }
        return ""
    }

    public init(_ text: String, role: Role) throws(S3PrefixError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(ofText: "!{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = Self.closingBrace(in: rest[open.upperBound...]) else {
                throw S3PrefixError(part: String(rest[open.lowerBound...]), reason: "the expression is not closed with '}'")
            }
            let expression = String(rest[open.lowerBound...close])
            parts.append(try Self.part(String(rest[open.upperBound..<close]), expression: expression, role: role))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.text = text
        self.parts = parts
        if role == .error, !isLiteral, !parts.contains(.errorOutputType) {
            throw S3PrefixError(
                part: text, reason: "an error prefix with expressions must contain !{firehose:error-output-type}, as Firehose requires")
        }
        // The longest it can get: every partition value at its longest.
        let longest = String(repeating: "x", count: PartitionKey.maximumValueBytes)
        let sample = evaluate(
            arrival: Date(timeIntervalSince1970: 4_102_444_799), random: "sample", errorOutputType: "format-conversion-failed",
            partitionKeys: Dictionary(partitionKeyNames.map { ($0, longest) }, uniquingKeysWith: { a, _ in a }))
        if sample.utf8.count > Self.maximumEvaluatedLength {
            throw S3PrefixError(
                part: text,
                reason: "it can evaluate to more than \(Self.maximumEvaluatedLength) bytes"
                    + (partitionKeyNames.isEmpty ? "" : " (a partition value takes up to \(PartitionKey.maximumValueBytes))"))
        }
    }

    /// The prefix for an object whose oldest record arrived at `arrival`, its times in `zone`
    /// (`S3_PREFIX_TIME_ZONE`). `random` seeds the random strings, so a
    /// retried object (same seed) gets the same key; `partitionKeys` holds the object's values
    /// (made safe for a key), a name without one evaluates to `partitionDefault`.
    public func evaluate(
        arrival: Date, zone: ZoneInfo = .utc, random: String, errorOutputType: String, partitionKeys: [String: String] = [:],
        partitionDefault: String = "unknown"
    ) -> String {
        var output = ""
        var randomIndex = 0
        for part in parts {
            switch part {
            case .literal(let text): output += text
            case .timestamp(let format): output += format.format(arrival, zone: zone)
            case .errorOutputType: output += errorOutputType
            case .partitionKey(let name): output += partitionKeys[name] ?? partitionDefault
            case .randomString:
                output += Self.randomString(seed: random, index: randomIndex)
                randomIndex += 1
            }
        }
        if !hasTimestamp { output += Self.defaultTime.format(arrival, zone: zone) }
        return output
    }

    /// 11 lowercase hex characters derived from the seed and the occurrence.
    static func randomString(seed: String, index: Int) -> String {
        String(Crypto.hex(Crypto.sha256("\(seed)#\(index)")).prefix(11))
    }

    /// The `}` ending an expression; a `}` inside a quoted pattern literal does not count.
    private static func closingBrace(in text: Substring) -> Substring.Index? {
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "'" { quoted.toggle() }
            if character == "}", !quoted { return index }
            if character == "!", !quoted, text[index...].hasPrefix("!{") { return nil }
            index = text.index(after: index)
        }
        return nil
    }

    private static func part(_ body: String, expression: String, role: Role) throws(S3PrefixError) -> Part {
        guard let colon = body.firstIndex(of: ":") else {
            throw S3PrefixError(part: expression, reason: "expected !{namespace:value} with namespace timestamp or firehose")
        }
        let namespace = body[..<colon].trimmingWhitespace()
        let value = String(body[body.index(after: colon)...])
        switch namespace {
        case "timestamp":
            guard !value.isEmpty else { throw S3PrefixError(part: expression, reason: "the timestamp pattern is empty") }
            do {
                return .timestamp(try JavaDateFormat(value))
            } catch {
                throw S3PrefixError(part: expression, reason: error.reason)
            }
        case "firehose":
            switch value.trimmingWhitespace() {
            case "random-string": return .randomString
            case "error-output-type":
                guard role == .error else {
                    throw S3PrefixError(part: expression, reason: "error-output-type may only be used in S3_ERROR_PREFIX")
                }
                return .errorOutputType
            default:
                throw S3PrefixError(part: expression, reason: "the firehose namespace knows random-string and error-output-type")
            }
        case "partitionKeyFromQuery":
            let name = value.trimmingWhitespace()
            guard role == .data else {
                throw S3PrefixError(part: expression, reason: "partition keys may only be used in S3_PREFIX, as in Firehose")
            }
            guard PartitionKey.isValidName(name) else {
                throw S3PrefixError(
                    part: expression, reason: "a partition key name is 1 to 64 of A-Z a-z 0-9 _, starting with a letter or _")
            }
            return .partitionKey(name)
        case "partitionKeyFromLambda":
            throw S3PrefixError(
                part: expression,
                reason: "there is no Lambda here: define keys with S3_PARTITION_KEYS and use !{partitionKeyFromQuery:NAME}")
        default:
            throw S3PrefixError(
                part: expression, reason: "unknown namespace \"\(namespace)\"; use timestamp, firehose or partitionKeyFromQuery")
        }
    }
}

/// An invalid prefix: the offending part and why.
public struct S3PrefixError: Error, Sendable, Equatable, CustomStringConvertible {
    public var part: String
    public var reason: String

    public var description: String { "\"\(part)\": \(reason)" }
}
