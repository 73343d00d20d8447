/// PutRecordBatch's fixed quotas ("these limits cannot be changed"), counted on the raw data
/// before base64, as Firehose counts them.
public struct FirehoseLimits: Sendable, Equatable {
    public var recordsPerCall: Int
    public var bytesPerCall: Int
    public var bytesPerRecord: Int

    /// 500 records and 4 MiB per call, 1,000 KiB per record.
    public init(recordsPerCall: Int = 500, bytesPerCall: Int = 4 * 1024 * 1024, bytesPerRecord: Int = 1_000 * 1024) {
        self.recordsPerCall = recordsPerCall
        self.bytesPerCall = bytesPerCall
        self.bytesPerRecord = bytesPerRecord
    }
}

/// Pure cutting of an object's JSON Lines body into Firehose records and of records into calls.
public enum FirehoseRecords {
    /// The byte ranges of the body's lines, each with its `\n`, so every record Firehose
    /// concatenates into an S3 object is a whole JSONL line. Empty lines are skipped; a last line
    /// without `\n` is returned without one (the caller adds it).
    public static func lines(_ body: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < body.count {
            let end = (body[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? body.count
            if end - start > 1 || body[start] != UInt8(ascii: "\n") { ranges.append(start..<end) }
            start = end
        }
        return ranges
    }

    /// Groups records (given by index and size, in order) into calls within `limits`, keeping
    /// their order. Every size must already be within `limits.bytesPerRecord`.
    public static func calls(_ records: [(index: Int, bytes: Int)], limits: FirehoseLimits) -> [[Int]] {
        var calls: [[Int]] = []
        var current: [Int] = []
        var currentBytes = 0
        for record in records {
            if !current.isEmpty, current.count == limits.recordsPerCall || currentBytes + record.bytes > limits.bytesPerCall {
                calls.append(current)
                current = []
                currentBytes = 0
            }
            current.append(record.index)
            currentBytes += record.bytes
        }
        if !current.isEmpty { calls.append(current) }
        return calls
    }
}
