import Testing

@testable import TweetIngest

/// Checks `spans` against the bytes they were noted for: in order, each within one record, each
/// an object or array ending exactly where its bracket closes (found by an independent scan), no
/// shorter than the minimum. Returns how many there are.
@discardableResult
func checkSpans(_ spans: [RecordSpan], in records: [UInt8], _ comment: Comment = "") -> Int {
    records.withUnsafeBufferPointer { buffer in
        let reader = RecordReader(buffer)
        let lines = recordLines(buffer)
        var line = 0
        var previous = -1
        for span in spans {
            #expect(span.start > previous, "out of order at \(span.start) \(comment)")
            previous = span.start
            while line < lines.count, lines[line].upperBound <= span.start { line += 1 }
            guard line < lines.count, lines[line].contains(span.start) else {
                Issue.record("span at \(span.start) is outside every record \(comment)")
                continue
            }
            #expect(span.end <= lines[line].upperBound, "span at \(span.start) runs past its record \(comment)")
            #expect(buffer[span.start] | 0x20 == UInt8(ascii: "{"), "span at \(span.start) does not start a container \(comment)")
            #expect(reader.containerEnd(span.start, lines[line].upperBound) == span.end, "span at \(span.start) \(comment)")
            #expect(span.end - span.start >= RecordSpan.minimumLength, "span at \(span.start) \(comment)")
        }
        return spans.count
    }
}

/// The values a span should cover in `records`: every top-level member value that is a
/// container of at least the minimum length, and every such entry of `referenced_tweets` and
/// `entities.mentions` (the ones the Parquet shredder passes over). Found member by member.
func expectedSpanStarts(in records: [UInt8]) -> Set<Int> {
    records.withUnsafeBufferPointer { buffer in
        let reader = RecordReader(buffer)
        var starts: Set<Int> = []
        func isLong(_ value: Range<Int>) -> Bool {
            buffer[value.lowerBound] | 0x20 == UInt8(ascii: "{") && value.count >= RecordSpan.minimumLength
        }
        func entries(_ array: Range<Int>) {
            reader.forEachElement(of: array) { element in if isLong(element) { starts.insert(element.lowerBound) } }
        }
        for line in recordLines(buffer) {
            reader.forEachMember(of: line) { key, value in
                if isLong(value) { starts.insert(value.lowerBound) }
                if reader.equals(key, "referenced_tweets") { entries(value) }
                if reader.equals(key, "entities") {
                    reader.forEachMember(of: value) { key, value in if reader.equals(key, "mentions") { entries(value) } }
                }
            }
        }
        return starts
    }
}
