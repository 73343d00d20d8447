#if canImport(Glibc)
    import Glibc
#endif

/// Reads members of delivered records (minified JSON objects, as the normalizer wrote them) by
/// path, without building a tree: partition keys and Parquet columns come from here.
struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where the records' large values are, as the normalizer noted them (`RecordSpan`, in
    /// order), and how far the lookups have gone: a value that starts where a span does is passed
    /// over to the span's end without a scan. Lookups only go forward (records in order, a
    /// record's values in order), so one cursor finds each span once; a lookup behind the cursor
    /// just scans.
    let spans: UnsafeBufferPointer<RecordSpan>
    let spanCursor: UnsafeMutablePointer<Int>?

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        spans = UnsafeBufferPointer(start: nil, count: 0)
        spanCursor = nil
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>, spans: UnsafeBufferPointer<RecordSpan>, cursor: UnsafeMutablePointer<Int>) {
        self.bytes = bytes
        self.spans = spans
        spanCursor = cursor
    }

    /// The end of the container starting at `start` when a span says where it is (checked to
    /// close with a bracket before `end`), else nil.
    @inline(__always)
    func spanEnd(at start: Int, end: Int) -> Int? {
        guard let cursor = spanCursor else { return nil }
        var index = cursor.pointee
        while index < spans.count, spans[index].start < start { index += 1 }
        cursor.pointee = index
        guard index < spans.count, spans[index].start == start else { return nil }
        let spanEnd = spans[index].end
        guard spanEnd <= end, spanEnd > start + 1, bytes[spanEnd - 1] | 0x20 == UInt8(ascii: "}") else { return nil }
        return spanEnd
    }

    /// The kind of a raw JSON value, from its first byte.
    enum Kind: Equatable {
        case string, number, boolean, null, object, array
    }

    func kind(_ value: Range<Int>) -> Kind {
        switch bytes[value.lowerBound] {
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .boolean
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// The raw value at `path` (member names from the record's top level), or nil when a member
    /// is missing or a step on the way is not an object.
    func find(_ path: [[UInt8]], in record: Range<Int>) -> Range<Int>? {
        var object = record
        for (depth, name) in path.enumerated() {
            var found: Range<Int>?
            forEachMember(of: object) { key, value in
                if found == nil, matches(key, name) { found = value }
            }
            guard let value = found else { return nil }
            if depth == path.count - 1 { return value }
            guard kind(value) == .object else { return nil }
            object = value
        }
        return nil
    }

    // Records are the normalizer's own output (well-formed, minified JSON), so members are found
    // by skipping values without validating them again; every index is still bounds-checked, so
    // a malformed record gives missing values, never a crash.

    /// Calls `body` with each member of the object `object` (key content range, raw value range).
    func forEachMember(of object: Range<Int>, _ body: (Range<Int>, Range<Int>) -> Void) {
        let end = object.upperBound
        var index = object.lowerBound
        guard index < end, bytes[index] == UInt8(ascii: "{") else { return }
        index += 1
        while true {
            index = skipSpace(index, end)
            guard index < end, bytes[index] == UInt8(ascii: "\"") else { return }
            let keyEnd = stringEnd(index + 1, end)
            guard keyEnd <= end, keyEnd > index + 1 else { return }
            let key = (index + 1)..<(keyEnd - 1)
            index = skipSpace(keyEnd, end)
            guard index < end, bytes[index] == UInt8(ascii: ":") else { return }
            index = skipSpace(index + 1, end)
            let valueEnd = skipValue(index, end)
            guard valueEnd > index, valueEnd <= end else { return }
            body(key, index..<valueEnd)
            index = skipSpace(valueEnd, end)
            guard index < end, bytes[index] == UInt8(ascii: ",") else { return }
            index += 1
        }
    }

    /// Calls `body` with each element (raw range) of the array `array`.
    func forEachElement(of array: Range<Int>, _ body: (Range<Int>) -> Void) {
        let end = array.upperBound
        var index = array.lowerBound
        guard index < end, bytes[index] == UInt8(ascii: "[") else { return }
        index = skipSpace(index + 1, end)
        if index < end, bytes[index] == UInt8(ascii: "]") { return }
        while true {
            index = skipSpace(index, end)
            let valueEnd = skipValue(index, end)
            guard valueEnd > index, valueEnd <= end else { return }
            body(index..<valueEnd)
            index = skipSpace(valueEnd, end)
            guard index < end, bytes[index] == UInt8(ascii: ",") else { return }
            index += 1
        }
    }

    /// Scans the object starting at `start`: `body` gets each key (content range) and where its
    /// value starts, and returns the value's end (nil: malformed, the scan stops). Returns the
    /// index after the closing brace; nil when there is no object at `start` or it is malformed.
    func scanObject(at start: Int, end: Int, _ body: (Range<Int>, Int) -> Int?) -> Int? {
        guard var index = firstMember(of: start, end) else { return nil }
        if bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            guard let (key, valueStart) = memberHeader(at: index, end),
                let valueEnd = body(key, valueStart), valueEnd > valueStart, valueEnd <= end,
                let (next, closed) = afterMember(valueEnd, end)
            else { return nil }
            if closed { return next }
            index = next
        }
    }

    /// Where the first member of the object at `start` is, or its `}` when it is empty; nil when
    /// there is no object there.
    @inline(__always)
    private func firstMember(of start: Int, _ end: Int) -> Int? {
        let index = skipSpace(start, end)
        guard index < end, bytes[index] == UInt8(ascii: "{") else { return nil }
        let first = skipSpace(index + 1, end)
        return first < end ? first : nil
    }

    /// The member at `index`: its key's content and where its value starts.
    @inline(__always)
    private func memberHeader(at index: Int, _ end: Int) -> (key: Range<Int>, value: Int)? {
        guard index < end, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let keyEnd = stringEnd(index + 1, end)
        guard keyEnd <= end else { return nil }
        let colon = skipSpace(keyEnd, end)
        guard colon < end, bytes[colon] == UInt8(ascii: ":") else { return nil }
        return ((index + 1)..<(keyEnd - 1), skipSpace(colon + 1, end))
    }

    /// After a member's value: the next member (`closed` false) or the index after the object's
    /// `}` (`closed` true); nil when neither follows.
    @inline(__always)
    private func afterMember(_ valueEnd: Int, _ end: Int) -> (index: Int, closed: Bool)? {
        let index = skipSpace(valueEnd, end)
        guard index < end else { return nil }
        if bytes[index] == UInt8(ascii: "}") { return (index + 1, true) }
        guard bytes[index] == UInt8(ascii: ",") else { return nil }
        return (skipSpace(index + 1, end), false)
    }

    /// What a member of `scanObjectPrefix` tells the scan.
    enum MemberStep {
        /// The value ends here; go on with the next member.
        case next(Int)
        /// Everything wanted is read: the rest of the object is passed over.
        case rest
    }

    /// As `scanObject`, for an object whose wanted members come first (a referenced post's
    /// `type` and `id`, a mention's `username` before the user merged into it): once `body`
    /// answers `.rest`, the scan ends at the object's span end when one is known, else the
    /// remaining members are passed over in one bracket scan. Returns the index after the
    /// closing brace, nil when malformed.
    func scanObjectPrefix(at start: Int, end: Int, _ body: (Range<Int>, Int) -> MemberStep?) -> Int? {
        let known = spanEnd(at: start, end: end)
        guard var index = firstMember(of: start, end) else { return nil }
        if bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            guard let (key, valueStart) = memberHeader(at: index, end), let step = body(key, valueStart) else { return nil }
            guard case .next(let valueEnd) = step else {
                if let known { return known }
                // Inside the object (depth 1), at a value: scanned as the rest of the object.
                let objectEnd = containerEnd(valueStart, end, depth: 1)
                return objectEnd <= end ? objectEnd : nil
            }
            guard valueEnd > valueStart, valueEnd <= end, let (next, closed) = afterMember(valueEnd, end) else { return nil }
            if closed { return next }
            index = next
        }
    }

    /// Scans the array starting at `start`: `body` gets where each element starts and returns its
    /// end. Returns the index after `]`; nil when there is no array at `start` or it is malformed.
    func scanArray(at start: Int, end: Int, _ body: (Int) -> Int?) -> Int? {
        var index = skipSpace(start, end)
        guard index < end, bytes[index] == UInt8(ascii: "[") else { return nil }
        index = skipSpace(index + 1, end)
        if index < end, bytes[index] == UInt8(ascii: "]") { return index + 1 }
        while true {
            guard let valueEnd = body(index), valueEnd > index, valueEnd <= end else { return nil }
            index = skipSpace(valueEnd, end)
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1, end)
        }
    }

    /// The end of the value starting at `start`, or nil when it runs past `end`.
    func valueEnd(at start: Int, end: Int) -> Int? {
        let valueEnd = skipValue(start, end)
        return valueEnd > start && valueEnd <= end ? valueEnd : nil
    }

    @inline(__always)
    private func skipSpace(_ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        return index
    }

    /// The index after the closing quote of a string whose content starts at `start`.
    @inline(__always)
    private func stringEnd(_ start: Int, _ end: Int) -> Int {
        var index = start
        while true {
            index = JSONScanner.nextSpecialStringByte(bytes, from: index, to: end)
            guard index < end else { return end + 1 }
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
    }

    /// The index after the value starting at `start` (its end when it runs past `end`: the
    /// caller's bound check then refuses it).
    private func skipValue(_ start: Int, _ end: Int) -> Int {
        guard start < end else { return end + 1 }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(start + 1, end)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return spanEnd(at: start, end: end) ?? containerEnd(start, end)
        default:
            var index = start
            while index < end {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return index
                default: index += 1
                }
            }
            return index
        }
    }

    /// The index after the object or array whose bracket is at `start`, or `end + 1` when it is
    /// not closed before `end`. Sixteen bytes at a time: the quotes, brackets and backslashes of
    /// a block become one bit per byte, a prefix XOR of the quote bits says which bytes are
    /// inside strings, and a block whose closing brackets outside strings cannot bring the depth
    /// to zero is passed over whole. A block with a backslash (an escape, in ~2% of blocks of our
    /// records), or right after one that ended in an escape, goes byte by byte. Records are short
    /// strings between brackets (a quote every 9 bytes), so jumping from string to string was the
    /// Parquet shredder's largest cost (README, "Parquet").
    /// `depth`: how many brackets are already open at `start` (1: `start` is inside an object or
    /// array, outside any string, and the scan ends at the bracket that closes it).
    func containerEnd(_ start: Int, _ end: Int, depth: Int = 0) -> Int {
        guard let base = bytes.baseAddress, start < end else { return end + 1 }
        var state = ScanState()
        state.depth = depth
        var index = start
        while index &+ 16 <= end {
            let block = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self)
            let backslashes = Self.lanes(block, equalTo: 0x5C)
            if state.escaped || backslashes[0] | backslashes[1] != 0 {
                if let found = scan(from: index, to: index &+ 16, &state) { return found }
                index &+= 16
                continue
            }
            // `{` and `[` differ only in bit 0x20, as do `}` and `]`.
            let folded = block | SIMD16(repeating: 0x20)
            let quotes = Self.lanes(block, equalTo: 0x22)
            let opens = Self.lanes(folded, equalTo: 0x7B)
            let closes = Self.lanes(folded, equalTo: 0x7D)
            for word in 0..<2 {
                // One bit (0x80) per byte: set where the byte is inside a string (an opening quote
                // counts as inside, a closing one as outside; brackets are never quotes).
                var inside = quotes[word]
                inside ^= inside << 8
                inside ^= inside << 16
                inside ^= inside << 32
                if state.inString { inside ^= 0x8080_8080_8080_8080 }
                state.inString = inside >> 63 != 0
                let open = opens[word] & ~inside
                let close = closes[word] & ~inside
                let closeCount = Self.laneCount(close)
                if closeCount < state.depth {
                    state.depth += Self.laneCount(open) - closeCount
                    continue
                }
                var brackets = open | close
                while brackets != 0 {
                    let bit = brackets.trailingZeroBitCount
                    if (open >> UInt64(bit)) & 1 != 0 {
                        state.depth += 1
                    } else {
                        state.depth -= 1
                        if state.depth == 0 { return index &+ word &* 8 &+ bit >> 3 &+ 1 }
                    }
                    brackets &= brackets &- 1
                }
            }
            index &+= 16
        }
        return scan(from: index, to: end, &state) ?? end + 1
    }

    /// Where a container scan stands between blocks.
    struct ScanState {
        var depth = 0
        var inString = false
        var escaped = false
    }

    /// Byte by byte over `from..<to`: the index after the bracket that closes the container, or
    /// nil when it is still open at `to`.
    private func scan(from start: Int, to end: Int, _ state: inout ScanState) -> Int? {
        var index = start
        while index < end {
            let byte = bytes[index]
            if state.inString {
                if state.escaped {
                    state.escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    state.escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    state.inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): state.inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): state.depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    state.depth -= 1
                    if state.depth == 0 { return index + 1 }
                default: break
                }
            }
            index += 1
        }
        return nil
    }

    /// How many bytes of `word` have their 0x80 bit set (the only bit a lane mask has): one
    /// multiply adds the eight lanes up in the top byte, cheaper than a popcount without POPCNT.
    @inline(__always)
    private static func laneCount(_ word: UInt64) -> Int {
        Int(truncatingIfNeeded: ((word >> 7) &* 0x0101_0101_0101_0101) >> 56)
    }

    /// 0x80 in each byte of the two words (little-endian) where `block`'s byte equals `byte`.
    @inline(__always)
    private static func lanes(_ block: SIMD16<UInt8>, equalTo byte: UInt8) -> SIMD2<UInt64> {
        let difference = block ^ SIMD16(repeating: byte)
        // Lane by lane (no borrow crosses lanes): the high bit survives only where it was zero.
        let zero = (difference &- SIMD16(repeating: 1)) & ~difference & SIMD16(repeating: 0x80)
        return unsafeBitCast(zero, to: SIMD2<UInt64>.self)
    }

    /// True when the raw key content equals `name` byte for byte.
    func matches(_ key: Range<Int>, _ name: [UInt8]) -> Bool {
        guard key.count == name.count else { return false }
        var index = key.lowerBound
        for byte in name {
            if bytes[index] != byte { return false }
            index += 1
        }
        return true
    }

    func equals(_ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let pointer = name.utf8Start
        var offset = 0
        for index in key {
            if bytes[index] != pointer[offset] { return false }
            offset += 1
        }
        return true
    }

    /// A boolean value, or nil for anything else.
    func boolean(_ value: Range<Int>) -> Bool? {
        switch bytes[value.lowerBound] {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: nil
        }
    }

    /// An integer value that fits in 64 bits (an optional `-`, digits), or nil.
    func int64(_ value: Range<Int>) -> Int64? {
        var index = value.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < value.upperBound else { return nil }
        var result: Int64 = 0
        while index < value.upperBound {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            let (times, overflowA) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int64(digit))
            guard !overflowA, !overflowB else { return nil }
            result = sum
            index += 1
        }
        return negative ? -result : result
    }

    /// Appends a string value's text, escapes decoded, as UTF-8 (a lone surrogate becomes U+FFFD).
    /// `value` is the raw value, quotes included.
    func appendText(of value: Range<Int>, to out: inout [UInt8]) {
        let content = (value.lowerBound + 1)..<(value.upperBound - 1)
        var index = content.lowerBound
        var runStart = index
        while index < content.upperBound {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(at: index)
                index += 4
                if (0xD800..<0xDC00).contains(code), index + 6 <= content.upperBound, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                appendUTF8(Unicode.Scalar(code) ?? "\u{FFFD}", to: &out)
            default: out.append(escape)
            }
            runStart = index
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<content.upperBound]))
    }

    /// Whether a string value (quotes included) has no escapes, so its content bytes are its text.
    func isPlain(_ value: Range<Int>) -> Bool {
        var index = value.lowerBound + 1
        while index < value.upperBound - 1 {
            if bytes[index] == UInt8(ascii: "\\") { return false }
            index += 1
        }
        return true
    }

    private func hex4(at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(JSONScanner.hexValue(bytes[index + offset]) ?? 0) }
        return value
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        for unit in String(scalar).utf8 { out.append(unit) }
    }
}

/// The byte ranges of the `\n`-terminated lines of a batch, newline excluded.
func recordLines(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    guard let base = bytes.baseAddress else { return [] }
    while start < bytes.count {
        let found = memchr(base + start, 0x0A, bytes.count - start)
        let end = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
        if end > start { lines.append(start..<end) }
        start = end + 1
    }
    return lines
}
