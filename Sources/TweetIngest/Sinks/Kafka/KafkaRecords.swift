/// One Kafka message to make from an object: a line of its JSONL body and the message key.
struct KafkaRecord: Sendable, Equatable {
    /// The line's bytes in the body, without its `\n`.
    var value: Range<Int>
    /// The tweet's top-level `id`; nil for error records and for a line without one.
    var key: [UInt8]?
}

/// Splits an object's body into messages: one per record, keyed by the tweet id so a topic
/// partitioned by key keeps every version of a tweet in one partition, in order.
enum KafkaRecords {
    /// Every non-empty line of `body`; `keyed` reads each line's top-level `"id"` string.
    static func split(_ body: [UInt8], keyed: Bool) -> [KafkaRecord] {
        body.withUnsafeBufferPointer { bytes in
            var records: [KafkaRecord] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if end > start {
                    records.append(KafkaRecord(value: start..<end, key: keyed ? tweetID(in: bytes, line: start..<end) : nil))
                }
                start = end + 1
            }
            return records
        }
    }

    /// The decoded top-level `"id"` string of the JSON object on `line`, or nil when the line is
    /// not an object with one (the record is then sent without a key).
    static func tweetID(in bytes: UnsafeBufferPointer<UInt8>, line: Range<Int>) -> [UInt8]? {
        var scanner = JSONScanner(bytes, range: line)
        do {
            try scanner.beginObject()
            var first = true
            while let key = try scanner.nextKey(first: &first) {
                if scanner.rawEquals(key, "id") {
                    guard scanner.peek() == UInt8(ascii: "\"") else { return nil }
                    let id = try scanner.string()
                    return id.isEmpty ? nil : Array(scanner.decodeString(id).utf8)
                }
                try scanner.value()
            }
        } catch {
            return nil
        }
        return nil
    }
}
