/// Bytes being written for one record (or one expanded included post). Ranges of the page that
/// follow each other are gathered and copied with one append; on a page that is not compact
/// they are minified instead.
struct Emission {
    var out: [UInt8] = []
    let bytes: UnsafeBufferPointer<UInt8>
    let isCompact: Bool
    private var pendingStart = 0
    private var pendingEnd = 0
    /// The spans of the containers written (`RecordSpan`, positions in `out`); nil: none noted.
    var spans: [RecordSpan]?

    init(bytes: UnsafeBufferPointer<UInt8>, isCompact: Bool) {
        self.bytes = bytes
        self.isCompact = isCompact
    }

    /// Writes the page's bytes in `start..<end` (whole tokens; whitespace dropped).
    @inline(__always)
    mutating func copy(_ start: Int, _ end: Int) {
        guard start < end else { return }
        if start == pendingEnd, pendingStart < pendingEnd {
            pendingEnd = end
            return
        }
        flush()
        pendingStart = start
        pendingEnd = end
    }

    mutating func copy(_ range: Range<Int>) { copy(range.lowerBound, range.upperBound) }

    mutating func flush() {
        guard pendingStart < pendingEnd else { return }
        if isCompact {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pendingStart..<pendingEnd]))
        } else {
            JSONWriting.appendMinified(bytes, pendingStart..<pendingEnd, to: &out)
        }
        pendingStart = 0
        pendingEnd = 0
    }

    mutating func literal(_ text: StaticString) {
        flush()
        JSONWriting.appendLiteral(text, to: &out)
    }

    mutating func append(_ text: ArraySlice<UInt8>) {
        flush()
        out.append(contentsOf: text)
    }

    mutating func append(_ text: [UInt8]) {
        flush()
        out.append(contentsOf: text)
    }

    /// When spans are noted: a container starts here; returns the slot `closeSpan` completes
    /// (-1: nothing noted). Opened before what is written inside, so spans stay in start order.
    @inline(__always)
    mutating func openSpan() -> Int {
        guard spans != nil else { return -1 }
        spans!.append(RecordSpan(start: position(), end: 0))
        return spans!.count - 1
    }

    /// The container opened at `slot` ends here: kept when long enough to be worth passing over
    /// (a short one holds no long ones, so nothing noted inside it is lost with it).
    @inline(__always)
    mutating func closeSpan(_ slot: Int) {
        guard slot >= 0 else { return }
        let end = position()
        if end - spans![slot].start >= RecordSpan.minimumLength {
            spans![slot].end = end
        } else {
            spans!.removeSubrange(slot...)
        }
    }

    /// The number of bytes written so far. On a compact page the pending range is copied as it
    /// is, so its length counts without copying it now (fewer, longer appends).
    mutating func position() -> Int {
        if isCompact { return out.count + (pendingEnd - pendingStart) }
        flush()
        return out.count
    }
}
