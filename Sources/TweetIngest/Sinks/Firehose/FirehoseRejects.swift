import FoundationEssentials

/// Records a destination can never take (Firehose's size limit, a partition beyond the limit),
/// turned into error-output lines that say why.
enum FirehoseRejects {
    static let tooLargeCode = "Firehose.RecordTooLarge"

    /// A Firehose-style error record for a record over the per-record limit (see
    /// `errorLine(code:message:record:now:)`).
    static func tooLarge(_ record: [UInt8], limit: Int, now: Date) -> RejectedRecord {
        let message =
            "the record is \(record.count) bytes; Firehose PutRecordBatch takes at most \(limit) bytes (1,000 KiB) per record, so it was not sent"
        return RejectedRecord(record: record, errorLine: errorLine(code: tooLargeCode, message: message, record: record[...], now: now))
    }

    /// A `\n`-terminated Firehose-style error record for a delivered record set aside: `errorCode`,
    /// `errorMessage`, `arrivalTimestamp` (the record's `ingest.fetched_at`, else `now`),
    /// `rawData` (the whole record, base64) and the record's own `ingest` object when it has one.
    static func errorLine(code: String, message: String, record: ArraySlice<UInt8>, now: Date) -> [UInt8] {
        let record = Array(record)
        let ingest = ingestObject(of: record)
        let fetchedAt = ingest.flatMap { range in
            record.withUnsafeBufferPointer { PageLayout.stringMember("fetched_at", of: range, $0) }.flatMap(parseRFC3339)
        }
        var line: [UInt8] = []
        JSONWriting.appendLiteral("{\"errorCode\":", to: &line)
        JSONWriting.appendString(code, to: &line)
        JSONWriting.appendLiteral(",\"errorMessage\":", to: &line)
        JSONWriting.appendString(message, to: &line)
        JSONWriting.appendLiteral(",\"arrivalTimestamp\":", to: &line)
        line.append(contentsOf: Array(String(Int64((fetchedAt ?? now).timeIntervalSince1970 * 1000)).utf8))
        JSONWriting.appendLiteral(",\"rawData\":\"", to: &line)
        line.append(contentsOf: Data(record).base64EncodedData())
        line.append(UInt8(ascii: "\""))
        if let ingest {
            JSONWriting.appendLiteral(",\"ingest\":", to: &line)
            line.append(contentsOf: record[ingest])
        }
        JSONWriting.appendLiteral("}\n", to: &line)
        return line
    }

    /// The byte range of the record's top-level `ingest` object, if it is a JSON object with one.
    static func ingestObject(of record: [UInt8]) -> Range<Int>? {
        record.withUnsafeBufferPointer { bytes -> Range<Int>? in
            var scanner = JSONScanner(bytes)
            guard scanner.peek() == UInt8(ascii: "{"), (try? scanner.beginObject()) != nil else { return nil }
            var first = true
            while let key = try? scanner.nextKey(first: &first) {
                let isIngest = scanner.rawEquals(key, "ingest")
                guard let value = try? scanner.value() else { return nil }
                if isIngest, bytes[value.lowerBound] == UInt8(ascii: "{") { return value }
            }
            return nil
        }
    }
}
