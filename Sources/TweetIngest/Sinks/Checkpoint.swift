import FoundationEssentials

/// The saved source position of one stream.
public struct Checkpoint: Codable, Equatable, Sendable {
    public var version = 1
    public var stream: String
    public var query: String
    public var cursor: SearchCursor
    public var updatedAt: String
    /// Which daemon process wrote it (random per start): tells our own retried write from another
    /// daemon's when a conditional write is refused.
    public var writer: String?

    public init(stream: String, query: String, cursor: SearchCursor, updatedAt: Date) {
        self.stream = stream
        self.query = query
        self.cursor = cursor
        self.updatedAt = UTCTime(updatedAt).rfc3339Milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case version, stream, query, cursor
        case updatedAt = "updated_at"
        case writer
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    public static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
        try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
    }
}

extension SearchCursor {
    enum CodingKeys: String, CodingKey {
        case sinceID = "since_id"
        case pending
        case reads
    }
}

extension SearchCursor.Pending {
    enum CodingKeys: String, CodingKey {
        case untilID = "until_id"
        case newestID = "newest_id"
        case startTime = "start_time"
    }
}
