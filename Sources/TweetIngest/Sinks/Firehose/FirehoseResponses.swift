import FoundationEssentials

/// The answer to PutRecordBatch: one entry per record sent, in the same order.
public struct PutRecordBatchResult: Sendable, Equatable, Decodable {
    public struct Entry: Sendable, Equatable, Decodable {
        public var recordID: String?
        public var errorCode: String?
        public var errorMessage: String?

        public init(recordID: String? = nil, errorCode: String? = nil, errorMessage: String? = nil) {
            self.recordID = recordID
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        /// Firehose took the record: it has a `RecordId` and no `ErrorCode`.
        public var succeeded: Bool { errorCode == nil && recordID != nil }

        enum CodingKeys: String, CodingKey {
            case recordID = "RecordId"
            case errorCode = "ErrorCode"
            case errorMessage = "ErrorMessage"
        }
    }

    public var failedPutCount: Int
    public var entries: [Entry]

    enum CodingKeys: String, CodingKey {
        case failedPutCount = "FailedPutCount"
        case entries = "RequestResponses"
    }

    /// Decodes a 200 answer for a call of `recordCount` records.
    static func decode(_ body: [UInt8], recordCount: Int, streamName: String) throws(FirehoseError) -> PutRecordBatchResult {
        func malformed(_ reason: String) -> FirehoseError {
            FirehoseError(operation: .putRecordBatch, streamName: streamName, failure: .malformedResponse(reason))
        }
        guard let result = try? JSONDecoder().decode(PutRecordBatchResult.self, from: Data(body)) else {
            throw malformed("the answer is not a PutRecordBatch result: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        guard result.entries.count == recordCount else {
            throw malformed("the answer has \(result.entries.count) RequestResponses for \(recordCount) records")
        }
        return result
    }
}

/// The parts of DescribeDeliveryStream's answer the start-up check looks at.
public struct DeliveryStreamDescription: Sendable, Equatable, Decodable {
    public var name: String
    public var arn: String?
    /// `CREATING`, `CREATING_FAILED`, `DELETING`, `DELETING_FAILED`, `ACTIVE`.
    public var status: String
    /// `DirectPut`, `KinesisStreamAsSource`, `MSKAsSource`, `DatabaseAsSource`.
    public var type: String?

    enum CodingKeys: String, CodingKey {
        case name = "DeliveryStreamName"
        case arn = "DeliveryStreamARN"
        case status = "DeliveryStreamStatus"
        case type = "DeliveryStreamType"
    }

    private struct Envelope: Decodable {
        var description: DeliveryStreamDescription
        enum CodingKeys: String, CodingKey { case description = "DeliveryStreamDescription" }
    }

    static func decode(_ body: [UInt8]) -> DeliveryStreamDescription? {
        try? JSONDecoder().decode(Envelope.self, from: Data(body)).description
    }
}
