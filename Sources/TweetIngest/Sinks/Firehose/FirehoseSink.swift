import FoundationEssentials
import Logging

/// Sends each record of an object (one JSON line, `\n` included, so the S3 objects Firehose
/// writes are valid JSON Lines) to a Firehose delivery stream with PutRecordBatch, within its
/// limits: 500 records and 4 MiB per call, 1,000 KiB per record. A larger record is not sent
/// but returned, and `Delivery` writes it to the error output with the reason.
///
/// Records Firehose reports as failed (`FailedPutCount`, an `ErrorCode` in `RequestResponses`)
/// are resent alone, with capped exponential backoff and jitter; records it took are never
/// resent, not even when `Delivery` retries the whole object later (see `FirehoseProgress`).
/// A call returns only when every record is taken or set aside, so the checkpoint `Delivery`
/// saves next never gets ahead of Firehose. Error objects (`isErrorOutput`) are not tweets:
/// they go to `errorOutput`, the bucket of `S3_BUCKET` or the local folder.
public struct FirehoseSink: Sink {
    public let client: FirehoseClient
    public let errorOutput: any Sink
    public var limits: FirehoseLimits
    /// Sends of the same call while some of its records keep failing, the first included.
    public var maxRecordAttempts = 5
    private let progress = FirehoseProgress()

    public init(client: FirehoseClient, errorOutput: any Sink, limits: FirehoseLimits = FirehoseLimits()) {
        self.client = client
        self.errorOutput = errorOutput
        self.limits = limits
    }

    public var destination: String { "firehose://\(client.streamName)" }

    /// Delivers, and throws if a record had to be set aside (so none is lost silently); the
    /// pipeline calls `deliverSettingAsideRejects` instead.
    public func deliver(_ object: DeliveryObject) async throws {
        let rejected = try await deliverSettingAsideRejects(object)
        guard rejected.isEmpty else {
            throw FirehoseError(
                operation: .putRecordBatch, streamName: client.streamName,
                failure: .recordsTooLarge(count: rejected.count, limit: limits.bytesPerRecord))
        }
    }

    public func deliverSettingAsideRejects(_ object: DeliveryObject) async throws -> [RejectedRecord] {
        if object.isErrorOutput {
            try await errorOutput.deliver(object)
            return []
        }
        var body = object.contentEncoding == "gzip" ? try Gzip.decompress(object.body) : object.body
        if let last = body.last, last != UInt8(ascii: "\n") { body.append(UInt8(ascii: "\n")) }
        let records = FirehoseRecords.lines(body).map { body[$0] }
        var accepted = progress.accepted(key: object.key, recordCount: records.count)
        var rejected: [RejectedRecord] = []
        var pending: [(index: Int, bytes: Int)] = []
        for (index, record) in records.enumerated() {
            if record.count > limits.bytesPerRecord {
                rejected.append(FirehoseRejects.tooLarge(Array(record), limit: limits.bytesPerRecord, now: client.sender.now()))
            } else if !accepted[index] {
                pending.append((index, record.count))
            }
        }
        for call in FirehoseRecords.calls(pending, limits: limits) {
            try await put(call, of: records, accepted: &accepted, key: object.key)
        }
        progress.forget(key: object.key)
        return rejected
    }

    /// One call's records, resending only the failed ones until all are taken.
    private func put(_ call: [Int], of records: [ArraySlice<UInt8>], accepted: inout [Bool], key: String) async throws {
        var remaining = call
        var attempt = 0
        while true {
            attempt += 1
            let batch = remaining.map { records[$0] }
            let response = try await client.send(.putRecordBatch) { requests, credentials, date in
                try requests.putRecordBatch(records: batch, credentials: credentials, date: date)
            }
            let result = try PutRecordBatchResult.decode(response.body, recordCount: remaining.count, streamName: client.streamName)
            var failed: [Int] = []
            for (index, entry) in zip(remaining, result.entries) {
                if entry.succeeded { accepted[index] = true } else { failed.append(index) }
            }
            progress.save(key: key, accepted: accepted)
            client.sender.logger.debug(
                "PutRecordBatch answered",
                metadata: [
                    "firehose.stream": "\(client.streamName)", "sink.key": "\(key)", "firehose.records": "\(remaining.count)",
                    "firehose.failed_records": "\(failed.count)", "retry.attempt": "\(attempt)",
                ])
            guard let firstFailure = result.entries.first(where: { !$0.succeeded }), !failed.isEmpty else { return }
            let code = firstFailure.errorCode ?? "(no RecordId)"
            let message = firstFailure.errorMessage ?? "-"
            guard attempt < maxRecordAttempts else {
                throw FirehoseError(
                    operation: .putRecordBatch, streamName: client.streamName,
                    failure: .recordsFailed(count: failed.count, code: code, message: message), attempts: attempt)
            }
            let delay = client.sender.backoff.delay(attempt: attempt, unit: client.sender.randomUnit())
            client.sender.logger.warning(
                "Firehose refused some records; resending only those",
                metadata: [
                    "firehose.stream": "\(client.streamName)", "sink.key": "\(key)", "firehose.failed_records": "\(failed.count)",
                    "firehose.error_code": "\(code)", "firehose.error_message": "\(message)", "retry.attempt": "\(attempt)",
                    "retry.delay_seconds": "\(fixed(delay, digits: 2))",
                ])
            try await client.sender.sleep(delay)
            remaining = failed
        }
    }
}
