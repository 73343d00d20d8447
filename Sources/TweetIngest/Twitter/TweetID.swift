import FoundationEssentials

/// A tweet id: a 64-bit unsigned integer that the API sends as a decimal string.
///
/// Ids are compared as integers (a longer id is newer) and never pass through a Double, which
/// would round ids above 2^53.
public struct TweetID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Nil unless `text` is a non-empty run of ASCII digits that fits in 64 bits.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt64(text) else {
            return nil
        }
        self.value = value
    }

    public var description: String { String(value) }

    /// When the post was created, from the snowflake id's upper bits (milliseconds since X's
    /// epoch, 2010-11-04T01:42:54.657Z). Meaningful for every id issued since late 2010.
    public var snowflakeTime: Date {
        Date(timeIntervalSince1970: Double((value >> 22) + 1_288_834_974_657) / 1000)
    }

    public static func < (lhs: TweetID, rhs: TweetID) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = TweetID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a tweet id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
