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
    /// Facts a consumer (and start-up recovery) can read without opening the object: record
    /// count, newest and oldest post id, the cursor it completes. S3 sends each as
    /// `x-amz-meta-<name>`; the local folder keeps them as `user.tweet-ingest.<name>` extended
    /// attributes. Names are lower-case `a-z 0-9 -`, values printable ASCII.
    public var metadata: [ObjectFact] = []
    /// Write only if no object has this key yet (S3 `If-None-Match: *`, a hard link for a local
    /// file). A key names exactly one batch of one daemon process, so an object already there is
    /// this write's own earlier attempt whose answer was lost: the sink reports success.
    public var createOnly = false

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

/// One per-object fact (see `DeliveryObject.metadata`).
public struct ObjectFact: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A sink whose objects can take part in the exactly-once commit protocol (`s3`, `file`):
/// start-up recovery asks whether the objects a checkpoint's intent names exist, removes a
/// batch's partial output, and finishes off uploads a crash left behind.
public protocol RecoverableSink: Sink {
    /// Whether an object with this key exists (S3: HeadObject; 404 is false).
    func objectExists(_ key: String) async throws -> Bool
    /// Removes the object if it exists (S3: DeleteObject); no error when it does not.
    func removeObject(_ key: String) async throws
    /// Aborts every unfinished multipart upload of exactly this key (S3: ListMultipartUploads
    /// with the key as prefix, then AbortMultipartUpload for each whose key is equal); returns
    /// how many were aborted. A sink without multipart uploads returns 0.
    func abortUnfinishedUploads(key: String) async throws -> Int
    /// Uploads this process began whose abort failed (S3 down at that moment); the sink forgets
    /// them once taken. The caller keeps them with the checkpoint and retries `abortUpload`.
    func takeAbandonedUploads() -> [AbandonedUpload]
    /// Aborts one upload; no error when S3 no longer knows it (NoSuchUpload).
    func abortUpload(_ upload: AbandonedUpload) async throws
}

/// A multipart upload begun and neither completed nor aborted.
public struct AbandonedUpload: Codable, Sendable, Equatable {
    public var key: String
    public var uploadID: String

    public init(key: String, uploadID: String) {
        self.key = key
        self.uploadID = uploadID
    }

    enum CodingKeys: String, CodingKey {
        case key
        case uploadID = "upload_id"
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
