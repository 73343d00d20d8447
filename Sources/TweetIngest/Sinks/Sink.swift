/// One object to write: a flushed buffer, named by Firehose's key layout.
public struct DeliveryObject: Sendable {
    public var key: String
    public var body: [UInt8]
    public var contentType: String
    /// `gzip` when the body is compressed.
    public var contentEncoding: String?
    public var recordCount: Int
    /// Error records (under the error prefix) rather than records.
    public var isErrorOutput: Bool

    public init(
        key: String, body: [UInt8], contentType: String = "application/x-ndjson", contentEncoding: String? = nil, recordCount: Int,
        isErrorOutput: Bool = false
    ) {
        self.isErrorOutput = isErrorOutput
        self.key = key
        self.body = body
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.recordCount = recordCount
    }
}

/// A destination for objects. Writing the same key twice must leave one object (retries keep
/// their key), and a returned call means the object is durable.
public protocol Sink: Sendable {
    /// Where objects go, for log lines (`file:///data`, `s3://bucket`).
    var destination: String { get }
    func deliver(_ object: DeliveryObject) async throws
    /// Like `deliver`, for a destination that takes records one by one and refuses some for good
    /// (Firehose: a record over 1,000 KiB). A returned call means every other record is durable;
    /// the refused ones come back so `Delivery` writes them to the error output instead of
    /// retrying forever. The default delivers the object whole and refuses nothing.
    func deliverSettingAsideRejects(_ object: DeliveryObject) async throws -> [RejectedRecord]
}

extension Sink {
    public func deliverSettingAsideRejects(_ object: DeliveryObject) async throws -> [RejectedRecord] {
        try await deliver(object)
        return []
    }
}

/// A record a destination refused for good, with the error-output line that says why.
public struct RejectedRecord: Sendable, Equatable {
    /// The record as it was in the object, `\n` included.
    public var record: [UInt8]
    /// A `\n`-terminated Firehose-style error record (`errorCode`, `errorMessage`, `rawData`...).
    public var errorLine: [UInt8]

    public init(record: [UInt8], errorLine: [UInt8]) {
        self.record = record
        self.errorLine = errorLine
    }
}

/// Where the source position is saved once everything before it is delivered; it lives beside
/// the data so a new task with an empty disk resumes where the last one stopped.
///
/// A store detects a second daemon writing the same checkpoint (`CheckpointConflictError`)
/// instead of letting the two silently overwrite each other's position.
public protocol CheckpointStore: Sendable {
    func load() async throws -> Checkpoint?
    func save(_ checkpoint: Checkpoint) async throws
}

/// Another daemon writes the same checkpoint (same stream, same destination). Not retried: the
/// process stops, so two writers never silently corrupt each other's position.
public struct CheckpointConflictError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var detail: String

    public init(location: String, detail: String) {
        self.location = location
        self.detail = detail
    }

    public var description: String {
        "another tweet-ingest is writing the checkpoint \(location) (\(detail)). Run exactly one daemon per STREAM_NAME and destination; give each query set its own STREAM_NAME."
    }
}
