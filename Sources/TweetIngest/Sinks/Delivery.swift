import FoundationEssentials
import Logging
import Metrics

/// Turns a batch into objects, writes them with retries, then moves the checkpoint.
///
/// A batch's keys are chosen once, so a retried write replaces rather than duplicates. The
/// checkpoint is saved only after every object of the batch is durable: a crash in between
/// means the batch's tweets are fetched again, never lost.
public struct Delivery: Sendable {
    public let sink: any Sink
    public let checkpoints: (any CheckpointStore)?
    public let layout: ObjectKeyLayout
    public let compression: Config.Compression
    public let streamName: String
    public let query: String
    public let logger: Logger
    public let now: @Sendable () -> Date
    public let sleep: @Sendable (TimeInterval) async throws -> Void
    public let randomSuffix: @Sendable () -> String
    public let randomUnit: @Sendable () -> Double
    public var backoff = Backoff(base: 1, cap: 30)

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
    }

    /// The objects a batch becomes: error records first (under the error prefix), then records.
    public func objects(for batch: Batch) throws -> [DeliveryObject] {
        guard let arrival = batch.firstArrival else { return [] }
        var objects: [DeliveryObject] = []
        let encoding = compression == .gzip ? "gzip" : nil
        if batch.errorCount > 0 {
            objects.append(
                DeliveryObject(
                    key: layout.errorKey(arrival: arrival, random: randomSuffix()), body: try encode(batch.errorRecords),
                    contentEncoding: encoding, recordCount: batch.errorCount, isErrorOutput: true))
        }
        if batch.recordCount > 0 {
            objects.append(
                DeliveryObject(
                    key: layout.dataKey(arrival: arrival, random: randomSuffix()), body: try encode(batch.records),
                    contentEncoding: encoding, recordCount: batch.recordCount))
        }
        return objects
    }

    private func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        compression == .gzip ? try Gzip.compress(bytes) : bytes
    }

    /// Writes the batch, retrying until it is durable or the task is cancelled, then saves the
    /// checkpoint it carries.
    public func deliver(_ batch: Batch, reason: String) async throws {
        for object in try objects(for: batch) {
            let rejected = try await write(object, reason: reason)
            if !rejected.isEmpty, let arrival = batch.firstArrival {
                // Refused for good by the destination (never retried): set aside as error records.
                let errors = DeliveryObject(
                    key: layout.errorKey(arrival: arrival, random: randomSuffix()), body: try encode(rejected.flatMap(\.errorLine)),
                    contentEncoding: compression == .gzip ? "gzip" : nil, recordCount: rejected.count, isErrorOutput: true)
                _ = try await write(errors, reason: reason)
            }
        }
        if let cursor = batch.checkpoint, let checkpoints {
            let checkpoint = Checkpoint(stream: streamName, query: query, cursor: cursor, updatedAt: now())
            try await withRetries("save the checkpoint", metadata: [:]) { try await checkpoints.save(checkpoint) }
            logger.debug("checkpoint saved", metadata: ["checkpoint.since_id": "\(cursor.sinceID?.description ?? "-")"])
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
