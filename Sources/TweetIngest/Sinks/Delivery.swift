import FoundationEssentials
import Logging
import Metrics
import Parquet
import Synchronization

/// Turns a batch into objects, writes them with retries, and moves the checkpoint.
///
/// With a sink that can recover (`s3`, `file`) every batch is written exactly once, whatever
/// moment a crash hits (README, "Exactly once"): the checkpoint first names the batch's objects
/// and the cursor they complete (its *intent*; the same write commits the batch before), then
/// each object is written with create-only semantics under a key derived from the batch, and
/// start-up recovery (`CommitRecovery`) rolls the last intent forward or back. Other sinks
/// (Firehose, Kafka) write first and checkpoint after: at least once, a crash in between
/// delivers that one batch again.
public struct Delivery: Sendable {
    public let sink: any Sink
    public let checkpoints: (any CheckpointStore)?
    public let layout: ObjectKeyLayout
    public let compression: Config.Compression
    /// What data objects hold and how records are split among them.
    public var encoding = ObjectEncoding()
    public let streamName: String
    public let query: String
    public let logger: Logger
    public let now: @Sendable () -> Date
    public let sleep: @Sendable (TimeInterval) async throws -> Void
    public let randomSuffix: @Sendable () -> String
    public let randomUnit: @Sendable () -> Double
    public var backoff = Backoff(base: 1, cap: 30)
    /// What the commit protocol carries from one batch to the next.
    private let commit: CommitJournal
    /// Random per process: a batch's key names this process and the batch's sequence number.
    private let writer: String

    final class CommitJournal: Sendable {
        private let state = Mutex(CommitState())
        func withLock<T>(_ body: (inout CommitState) -> T) -> T { state.withLock { body(&$0) } }
    }

    struct CommitState {
        /// Every post up to here is in an object that exists.
        var committed = SearchCursor()
        var sequence = 0
        /// The last checkpoint written carries an intent not yet superseded.
        var intentOutstanding = false
        var unfinishedUploads: [AbandonedUpload] = []
    }

    public init(
        sink: any Sink, checkpoints: (any CheckpointStore)?, layout: ObjectKeyLayout, compression: Config.Compression,
        streamName: String, query: String, logger: Logger, now: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void,
        randomSuffix: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.sink = sink
        self.checkpoints = checkpoints
        self.layout = layout
        self.compression = compression
        self.streamName = streamName
        self.query = query
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.randomSuffix = randomSuffix
        self.randomUnit = randomUnit
        commit = CommitJournal()
        writer = UUID().uuidString.lowercased()
    }

    /// The commit protocol applies: a sink that can recover, and a checkpoint to keep.
    public var isExactlyOnce: Bool { checkpoints != nil && sink is any RecoverableSink }

    /// Where start-up recovery left the stream: the next batch's intent commits on top of it.
    public func resume(from recovered: CommitRecovery.Outcome) {
        commit.withLock {
            $0.committed = recovered.cursor
            $0.sequence = recovered.sequence
            $0.unfinishedUploads = recovered.unfinishedUploads
            $0.intentOutstanding = false
        }
    }

    /// The random part of a batch's keys: derived from the stream, this process and the batch's
    /// sequence number, shaped like Firehose's (a UUID), the same for its error and data object.
    public func batchID(sequence: Int) -> String {
        let hex = Array(Crypto.hex(Crypto.sha256("\(streamName)\n\(writer)\n\(sequence)").prefix(16)).utf8)
        func part(_ range: Range<Int>) -> String { String(decoding: hex[range], as: UTF8.self) }
        return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
    }

    /// The objects a batch becomes: error records first (under the error prefix), then records
    /// (one object per partition key set with dynamic partitioning). `sequence` (the commit
    /// protocol) derives the keys' random part from the batch and makes the writes create-only;
    /// without it each key gets a random part.
    public func objects(for batch: Batch, sequence: Int? = nil) throws -> [DeliveryObject] {
        guard let arrival = batch.firstArrival else { return [] }
        var objects: [DeliveryObject] = []
        let shared = sequence.map { batchID(sequence: $0) }
        var facts: [ObjectFact] = [ObjectFact("stream", streamName)]
        if let sequence { facts.append(ObjectFact("sequence", String(sequence))) }
        var groups: [RecordPartitioner.Group] = []
        var overflow: [Range<Int>] = []
        if batch.recordCount > 0 {
            if encoding.partitioning.isEnabled {
                let split = RecordPartitioner(encoding.partitioning).split(batch.records)
                groups = split.groups
                overflow = split.overflow
            } else {
                groups = [RecordPartitioner.Group(values: [:], lines: [])]
            }
        }
        if batch.errorCount > 0 {
            objects.append(
                try errorObject(
                    batch.errorRecords, count: batch.errorCount, type: "processing-failed", arrival: arrival, shared: shared,
                    facts: facts))
        }
        if !overflow.isEmpty {
            let limit = encoding.partitioning.maximumPartitions
            let lines = errorLines(
                overflow, of: batch.records, code: "DynamicPartitioning.ActivePartitionsLimitExceeded",
                message:
                    "the flush already holds \(limit) partition key sets (S3_MAX_PARTITIONS); this record's key set is one more, so it was set aside. Raise S3_MAX_PARTITIONS (up to 5000) or partition by fewer distinct values",
                arrival: arrival)
            objects.append(
                try errorObject(
                    lines, count: overflow.count, type: "activePartitionExceeded", arrival: arrival, shared: shared, facts: facts))
        }
        for group in groups {
            // No partitioning: the whole batch, as it is.
            let whole = group.lines.isEmpty
            let count = whole ? batch.recordCount : group.lines.count
            let body: [UInt8]
            do {
                body = try dataBody(batch.records, spans: batch.spans, lines: whole ? nil : group.lines)
            } catch let error as ParquetError {
                // As Firehose does when conversion fails: the records go to the error output,
                // whole, under format-conversion-failed (never dropped, never retried forever).
                objects.append(
                    try conversionFailed(
                        batch, lines: whole ? nil : group.lines, error: error, arrival: arrival, shared: shared, facts: facts))
                continue
            }
            var object = DeliveryObject(
                key: layout.dataKey(arrival: arrival, random: shared ?? randomSuffix(), partition: group.values),
                body: body, contentEncoding: nil, recordCount: count)
            if encoding.format == .parquet {
                object.contentType = "application/vnd.apache.parquet"
            } else {
                object.contentEncoding = contentEncoding
            }
            object.metadata = facts + [ObjectFact("records", String(count))]
            let (newest, oldest) = whole ? (batch.newestID, batch.oldestID) : Self.idRange(batch.records, group.lines)
            if let newest { object.metadata.append(ObjectFact("newest-id", newest.description)) }
            if let oldest { object.metadata.append(ObjectFact("oldest-id", oldest.description)) }
            if let cursor = batch.checkpoint, let text = try? cursor.compactJSON() { object.metadata.append(ObjectFact("cursor", text)) }
            object.createOnly = sequence != nil
            objects.append(object)
        }
        return objects
    }

    /// The error object for records Parquet could not encode (a bug, not a state of the world).
    private func conversionFailed(
        _ batch: Batch, lines: [Range<Int>]?, error: ParquetError, arrival: Date, shared: String?, facts: [ObjectFact]
    ) throws -> DeliveryObject {
        let rows = lines ?? batch.records.withUnsafeBufferPointer { recordLines($0) }
        logger.error(
            "could not encode records as Parquet; they go to the error output as format-conversion-failed",
            metadata: ["error": "\(error)", "batch.records": "\(rows.count)"])
        let body = errorLines(
            rows, of: batch.records, code: "Parquet.EncodingFailed",
            message: "\(error). This is a bug in tweet-ingest: please report it; the record is kept whole here", arrival: arrival)
        return try errorObject(body, count: rows.count, type: "format-conversion-failed", arrival: arrival, shared: shared, facts: facts)
    }

    /// The `Content-Encoding` of JSON Lines objects (data and error records alike).
    private var contentEncoding: String? { compression == .gzip ? "gzip" : nil }

    /// One Firehose-style error line per record set aside.
    private func errorLines(_ lines: [Range<Int>], of records: [UInt8], code: String, message: String, arrival: Date) -> [UInt8] {
        var body: [UInt8] = []
        for line in lines { body += FirehoseRejects.errorLine(code: code, message: message, record: records[line], now: arrival) }
        return body
    }

    /// An object of error records under the error prefix for `type` (Firehose's error-output-type),
    /// JSON Lines compressed as COMPRESSION says; create-only with the commit protocol.
    private func errorObject(
        _ lines: [UInt8], count: Int, type: String, arrival: Date, shared: String?, facts: [ObjectFact]
    ) throws -> DeliveryObject {
        var object = DeliveryObject(
            key: layout.errorKey(arrival: arrival, random: shared ?? randomSuffix(), errorType: type), body: try encode(lines),
            contentEncoding: contentEncoding, recordCount: count, isErrorOutput: true)
        object.metadata = facts + [ObjectFact("records", String(count))]
        object.createOnly = shared != nil
        return object
    }

    /// A data object's body: the records (all, or the lines of one partition) as JSON Lines
    /// (compressed as COMPRESSION says) or as one Parquet file.
    private func dataBody(_ records: [UInt8], spans: [RecordSpan], lines: [Range<Int>]?) throws -> [UInt8] {
        switch encoding.format {
        case .parquet:
            let rows = lines ?? records.withUnsafeBufferPointer { recordLines($0) }
            return try TweetParquet.encode(
                records, lines: rows, spans: spans, compression: encoding.parquetCompression,
                keyValueMetadata: [("tweet-ingest.schema", TweetParquet.schemaVersion)])
        case .jsonl:
            guard let lines else { return try encode(records) }
            var body: [UInt8] = []
            body.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
            for line in lines {
                body.append(contentsOf: records[line])
                body.append(UInt8(ascii: "\n"))
            }
            return try encode(body)
        }
    }

    /// The newest and oldest post id among some records (a partition's object facts).
    static func idRange(_ records: [UInt8], _ lines: [Range<Int>]) -> (TweetID?, TweetID?) {
        records.withUnsafeBufferPointer { bytes in
            let reader = RecordReader(bytes)
            let idPath = [Array("id".utf8)]
            var newest: TweetID?
            var oldest: TweetID?
            for line in lines {
                guard let raw = reader.find(idPath, in: line), reader.kind(raw) == .string,
                    let id = TweetID(
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[(raw.lowerBound + 1)..<(raw.upperBound - 1)]), as: UTF8.self))
                else { continue }
                if newest.map({ id > $0 }) ?? true { newest = id }
                if oldest.map({ id < $0 }) ?? true { oldest = id }
            }
            return (newest, oldest)
        }
    }

    private func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        compression == .gzip ? try Gzip.compress(bytes) : bytes
    }

    /// Writes the batch, retrying until it is durable or the task is cancelled, and moves the
    /// checkpoint: exactly once (intent, then objects) with a sink that can recover, else
    /// objects then checkpoint.
    /// Returns how many objects were written (partitions make one per key set).
    @discardableResult
    public func deliver(_ batch: Batch, reason: String) async throws -> Int {
        if isExactlyOnce, let checkpoints, let recoverable = sink as? any RecoverableSink {
            return try await deliverExactlyOnce(batch, reason: reason, checkpoints: checkpoints, sink: recoverable)
        }
        let objects = try objects(for: batch)
        try await writeObjects(objects, batch: batch, reason: reason)
        if let cursor = batch.checkpoint, let checkpoints {
            let checkpoint = Checkpoint(stream: streamName, query: query, cursor: cursor, updatedAt: now())
            try await withRetries("save the checkpoint", metadata: [:]) { try await checkpoints.save(checkpoint) }
            logger.debug("checkpoint saved", metadata: ["checkpoint.since_id": "\(cursor.sinceID?.description ?? "-")"])
        }
        return objects.count
    }

    private func deliverExactlyOnce(
        _ batch: Batch, reason: String, checkpoints: any CheckpointStore, sink: any RecoverableSink
    ) async throws -> Int {
        let state = commit.withLock { $0 }
        let objects = try objects(for: batch, sequence: state.sequence)
        let unfinished = await retryAborts(state.unfinishedUploads + sink.takeAbandonedUploads(), sink: sink)
        guard !objects.isEmpty else {
            // The cursor moved without records (a poll cycle found nothing new): just save it.
            guard let cursor = batch.checkpoint else { return 0 }
            let checkpoint = Checkpoint(
                stream: streamName, query: query, cursor: cursor, updatedAt: now(), sequence: state.sequence,
                unfinishedUploads: unfinished.isEmpty ? nil : unfinished)
            try await save(checkpoint, checkpoints)
            commit.withLock {
                $0.committed = cursor
                $0.intentOutstanding = false
                $0.unfinishedUploads = unfinished
            }
            return 0
        }
        // 1. The intent: this batch's keys and the cursor they complete (committing the batch
        //    before, whose objects all exist).
        let intent = Checkpoint.Intent(sequence: state.sequence, keys: objects.map(\.key), cursor: batch.checkpoint ?? state.committed)
        let checkpoint = Checkpoint(
            stream: streamName, query: query, cursor: state.committed, updatedAt: now(), sequence: state.sequence, intent: intent,
            unfinishedUploads: unfinished.isEmpty ? nil : unfinished)
        try await save(checkpoint, checkpoints)
        commit.withLock {
            $0.intentOutstanding = true
            $0.unfinishedUploads = unfinished
        }
        // 2. The objects, create-only.
        try await writeObjects(objects, batch: batch, reason: reason)
        // 3. Committed: the next checkpoint write says so.
        commit.withLock {
            $0.committed = intent.cursor
            $0.sequence = intent.sequence + 1
        }
        return objects.count
    }

    /// Persists a commit that so far only the intent records (shutdown, end of `--once`), so the
    /// next start has no intent to check.
    public func commitOutstanding() async throws {
        guard isExactlyOnce, let checkpoints else { return }
        let state = commit.withLock { $0 }
        guard state.intentOutstanding else { return }
        let checkpoint = Checkpoint(
            stream: streamName, query: query, cursor: state.committed, updatedAt: now(), sequence: state.sequence,
            unfinishedUploads: state.unfinishedUploads.isEmpty ? nil : state.unfinishedUploads)
        try await save(checkpoint, checkpoints)
        commit.withLock { $0.intentOutstanding = false }
    }

    private func save(_ checkpoint: Checkpoint, _ checkpoints: any CheckpointStore) async throws {
        try await withRetries("save the checkpoint", metadata: [:]) { try await checkpoints.save(checkpoint) }
        logger.debug(
            "checkpoint saved",
            metadata: [
                "checkpoint.since_id": "\(checkpoint.cursor.sinceID?.description ?? "-")",
                "checkpoint.intent": "\(checkpoint.intent.map { "\($0.sequence)" } ?? "-")",
            ])
    }

    /// One attempt each at the uploads whose abort failed before; returns those still unfinished.
    private func retryAborts(_ uploads: [AbandonedUpload], sink: any RecoverableSink) async -> [AbandonedUpload] {
        var left: [AbandonedUpload] = []
        for upload in uploads {
            do {
                try await sink.abortUpload(upload)
                logger.notice("aborted an unfinished multipart upload", metadata: ["sink.key": "\(upload.key)"])
            } catch {
                left.append(upload)
            }
        }
        return left
    }

    private func writeObjects(_ objects: [DeliveryObject], batch: Batch, reason: String) async throws {
        for object in objects {
            let rejected = try await write(object, reason: reason)
            if !rejected.isEmpty, let arrival = batch.firstArrival {
                // Refused for good by the destination (never retried): set aside as error records.
                let errors = DeliveryObject(
                    key: layout.errorKey(arrival: arrival, random: randomSuffix()), body: try encode(rejected.flatMap(\.errorLine)),
                    contentEncoding: contentEncoding, recordCount: rejected.count, isErrorOutput: true)
                _ = try await write(errors, reason: reason)
            }
        }
    }

    /// Writes one object, retrying until it is durable; returns the records the sink refused.
    private func write(_ object: DeliveryObject, reason: String) async throws -> [RejectedRecord] {
        var rejected: [RejectedRecord] = []
        try await withRetries("write \(object.key)", metadata: ["sink.key": "\(object.key)"]) {
            rejected = try await sink.deliverSettingAsideRejects(object)
        }
        let delivered = object.recordCount - rejected.count
        Counter(label: (object.isErrorOutput ? MetricName.errorRecordsDelivered : .recordsDelivered).rawValue).increment(by: delivered)
        Counter(label: MetricName.objectsDelivered.rawValue).increment()
        Counter(label: MetricName.bytesDelivered.rawValue).increment(by: object.body.count)
        var metadata: Logger.Metadata = [
            "sink.destination": "\(sink.destination)", "sink.key": "\(object.key)", "batch.records": "\(delivered)",
            "batch.bytes": "\(object.body.count)", "flush.reason": "\(reason)",
        ]
        if !rejected.isEmpty { metadata["batch.rejected_records"] = "\(rejected.count)" }
        logger.info("delivered object", metadata: metadata)
        if !rejected.isEmpty {
            logger.error("the destination refused records for good; they go to the error output", metadata: metadata)
        }
        return rejected
    }

    private func withRetries(_ what: String, metadata: Logger.Metadata, _ operation: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                try await operation()
                return
            } catch let error where !(error is CancellationError) && !(error is CheckpointConflictError) {
                attempt += 1
                Counter(label: MetricName.deliveryErrors.rawValue).increment()
                let delay = backoff.delay(attempt: attempt, unit: randomUnit())
                var details = metadata
                details["error"] = "\(error)"
                details["retry.attempt"] = "\(attempt)"
                details["retry.delay_seconds"] = "\(fixed(delay, digits: 1))"
                logger.error("could not \(what); records stay buffered and the write is retried", metadata: details)
                try await sleep(delay)
            }
        }
    }
}

/// What data objects hold (`OUTPUT_FORMAT`, `PARQUET_COMPRESSION`) and how a batch's records
/// are split among them (`S3_PARTITION_KEYS`).
public struct ObjectEncoding: Sendable {
    public var format: Config.OutputFormat
    public var parquetCompression: Config.ParquetCompression
    public var partitioning: Partitioning

    public init(
        format: Config.OutputFormat = .jsonl, parquetCompression: Config.ParquetCompression = .zstd,
        partitioning: Partitioning = Partitioning(keys: [])
    ) {
        self.format = format
        self.parquetCompression = parquetCompression
        self.partitioning = partitioning
    }
}
