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

    /// The checkpoint file: what `JSONEncoder` writes with sorted keys, pretty-printed, and a
    /// newline, byte for byte, written without it. The daemon writes one per cycle, and the
    /// encoder's code and metadata would otherwise stay resident in an idle daemon for it.
    public func encoded() throws -> [UInt8] {
        var writer = EncoderCompatibleJSON(pretty: true)
        writer.write(jsonValue)
        writer.out.append(UInt8(ascii: "\n"))
        return writer.out
    }

    var jsonValue: EncoderCompatibleJSON.Value {
        var members: [(String, EncoderCompatibleJSON.Value)] = [
            ("version", .int(version)), ("stream", .string(stream)), ("query", .string(query)), ("cursor", cursor.jsonValue),
            ("updated_at", .string(updatedAt)),
        ]
        if let writer { members.append(("writer", .string(writer))) }
        if let sequence { members.append(("sequence", .int(sequence))) }
        if let intent {
            members.append(
                (
                    "intent",
                    .object([
                        ("sequence", .int(intent.sequence)), ("keys", .array(intent.keys.map { .string($0) })),
                        ("cursor", intent.cursor.jsonValue),
                    ])
                ))
        }
        if let unfinishedUploads {
            members.append(
                (
                    "unfinished_uploads",
                    .array(unfinishedUploads.map { .object([("key", .string($0.key)), ("upload_id", .string($0.uploadID))]) })
                ))
        }
        return .object(members)
    }

    public static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
        try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
    }
}

extension SearchCursor {
    /// One line of JSON, keys sorted: the `cursor` fact on an object.
    public func compactJSON() throws -> String {
        var writer = EncoderCompatibleJSON(pretty: false)
        writer.write(jsonValue)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// As `Codable` encodes it: absent members left out, ids as strings, the start time as
    /// `Date` encodes itself (seconds since 2001 as a number).
    var jsonValue: EncoderCompatibleJSON.Value {
        var members: [(String, EncoderCompatibleJSON.Value)] = []
        if let sinceID { members.append(("since_id", .string(sinceID.description))) }
        if let pending {
            var fields: [(String, EncoderCompatibleJSON.Value)] = [
                ("until_id", .string(pending.untilID.description)), ("newest_id", .string(pending.newestID.description)),
            ]
            if let start = pending.startTime { fields.append(("start_time", .double(start.timeIntervalSinceReferenceDate))) }
            members.append(("pending", .object(fields)))
        }
        if let reads { members.append(("reads", .object([("day", .string(reads.day)), ("posts", .int(reads.posts))]))) }
        return .object(members)
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

/// JSON text exactly as `JSONEncoder` writes it with `.sortedKeys` (and `.prettyPrinted` when
/// `pretty`): keys sorted by their UTF-8 bytes, `/` escaped, two-space indents and `" : "`,
/// integral doubles without `.0`. For the few small documents the daemon writes on its own.
struct EncoderCompatibleJSON {
    indirect enum Value {
        case string(String)
        case int(Int)
        case double(Double)
        case array([Value])
        case object([(String, Value)])
    }

    let pretty: Bool
    var out: [UInt8] = []
    private var indent = 0

    init(pretty: Bool) { self.pretty = pretty }

    mutating func write(_ value: Value) {
        switch value {
        case .string(let text): string(text)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            var text = number.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            out.append(contentsOf: text.utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            if pretty {
                out.append(0x0A)
                indent += 1
            }
            for (index, element) in elements.enumerated() {
                if index > 0 { pretty ? out.append(contentsOf: [UInt8(ascii: ","), 0x0A]) : out.append(UInt8(ascii: ",")) }
                if pretty { writeIndent() }
                write(element)
            }
            if pretty {
                out.append(0x0A)
                indent -= 1
                writeIndent()
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            if pretty {
                out.append(0x0A)
                indent += 1
                if !members.isEmpty { writeIndent() }
            }
            let sorted = members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 {
                    if pretty {
                        out.append(contentsOf: [UInt8(ascii: ","), 0x0A])
                        writeIndent()
                    } else {
                        out.append(UInt8(ascii: ","))
                    }
                }
                string(member.0)
                if pretty { out.append(contentsOf: Array(" : ".utf8)) } else { out.append(UInt8(ascii: ":")) }
                write(member.1)
            }
            if pretty {
                out.append(0x0A)
                indent -= 1
                writeIndent()
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeIndent() {
        for _ in 0..<indent { out.append(contentsOf: [0x20, 0x20]) }
    }

    private mutating func string(_ text: String) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case UInt8(ascii: "/"): out.append(contentsOf: [0x5C, UInt8(ascii: "/")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(Self.hexDigit(byte >> 4))
                out.append(Self.hexDigit(byte & 0xF))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x61 + value - 10 }
}
