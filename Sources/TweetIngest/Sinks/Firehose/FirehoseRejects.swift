import FoundationEssentials

/// Records Firehose can never take, turned into error-output lines that say why.
enum FirehoseRejects {
    static let tooLargeCode = "Firehose.RecordTooLarge"

    /// A Firehose-style error record for a record over the per-record limit: `errorCode`,
    /// `errorMessage`, `arrivalTimestamp` (the record's `ingest.fetched_at`, else `now`),
    /// `rawData` (the whole record, base64) and the record's own `ingest` object when it has one.
    static func tooLarge(_ record: [UInt8], limit: Int, now: Date) -> RejectedRecord {
        let ingest = ingestObject(of: record)
        let fetchedAt = ingest.flatMap { range in
            record.withUnsafeBufferPointer { PageLayout.stringMember("fetched_at", of: range, $0) }.flatMap(parseRFC3339)
        }
        var line: [UInt8] = []
        JSONWriting.appendLiteral("{\"errorCode\":", to: &line)
        JSONWriting.appendString(tooLargeCode, to: &line)
        JSONWriting.appendLiteral(",\"errorMessage\":", to: &line)
        JSONWriting.appendString(
            "the record is \(record.count) bytes; Firehose PutRecordBatch takes at most \(limit) bytes (1,000 KiB) per record, so it was not sent",
            to: &line)
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
        return RejectedRecord(record: record, errorLine: line)
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
