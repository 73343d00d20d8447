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
    /// The number of the next batch (the commit protocol; absent in older checkpoints).
    public var sequence: Int?
    /// The batch being written when this was saved: its objects' keys and the cursor it
    /// completes. Start-up recovery rolls it forward (every object exists: `cursor` becomes the
    /// intent's) or back (the partial objects are removed).
    public var intent: Intent?
    /// Multipart uploads whose abort failed (S3 down at that moment): aborted at the next start
    /// or after the outage.
    public var unfinishedUploads: [AbandonedUpload]?

    public init(
        stream: String, query: String, cursor: SearchCursor, updatedAt: Date, sequence: Int? = nil, intent: Intent? = nil,
        unfinishedUploads: [AbandonedUpload]? = nil
    ) {
        self.stream = stream
        self.query = query
        self.cursor = cursor
        self.updatedAt = UTCTime(updatedAt).rfc3339Milliseconds
        self.sequence = sequence
        self.intent = intent
        self.unfinishedUploads = unfinishedUploads
    }

    /// A batch's objects, written after the checkpoint that names them.
    public struct Intent: Codable, Equatable, Sendable {
        public var sequence: Int
        /// Error object first (when there is one), then the data object.
        public var keys: [String]
        /// Where the source stands once every object exists.
        public var cursor: SearchCursor

        public init(sequence: Int, keys: [String], cursor: SearchCursor) {
            self.sequence = sequence
            self.keys = keys
            self.cursor = cursor
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, stream, query, cursor
        case updatedAt = "updated_at"
        case writer, sequence, intent
        case unfinishedUploads = "unfinished_uploads"
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
    /// One line of JSON, keys sorted: the `cursor` fact on an object.
    public func compactJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

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
