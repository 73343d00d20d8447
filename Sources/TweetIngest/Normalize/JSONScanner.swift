/// A validating JSON scanner over UTF-8 bytes that locates values without building a tree.
///
/// Records keep every field exactly as the API sent it, so we never decode a tweet into Swift
/// values and re-encode it: ids stay strings, numbers keep their digits, key order is kept.
/// The scanner only finds where values start and end, checks they are well-formed JSON, and
/// decodes the few strings we need (ids, tokens).
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private var depth = 0
    /// Whitespace bytes skipped so far: unchanged across a value means the value is compact
    /// and can be copied as it is, without minifying.
    private(set) var whitespaceSkipped = 0
    static let maximumDepth = 256

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    private let end: Int

    var isAtEnd: Bool { position >= end }

    // MARK: - Structure

    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON, nearly every call: the next byte is not whitespace (all of which is
        // below 0x21), one comparison.
        if position < end, bytes[position] > 0x20 { return }
        while position < end {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09:
                position += 1
                whitespaceSkipped += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < end ? bytes[position] : nil
    }

    /// Consumes `byte` after any whitespace. Compact JSON, nearly every call, has it right here:
    /// that test is all that is inlined, so the callers stay small enough for the compiler to
    /// inline the string scan into them.
    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONError) {
        if position < end, bytes[position] == byte {
            position += 1
        } else {
            try expectAfterWhitespace(byte)
        }
    }

    @inline(never)
    private mutating func expectAfterWhitespace(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        guard bytes[position] == byte else { throw .unexpected(byte: bytes[position], at: position) }
        position += 1
    }

    /// Consumes `{`; follow with `nextKey(first:)` until it returns nil.
    mutating func beginObject() throws(JSONError) { try expect(UInt8(ascii: "{")) }

    /// The raw range of the next member's key (between the quotes) with the `:` consumed,
    /// or nil when the object's closing brace has been consumed.
    mutating func nextKey(first: inout Bool) throws(JSONError) -> Range<Int>? {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        let byte = bytes[position]
        if byte == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        if first {
            first = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw .unexpected(byte: byte, at: position) }
            position += 1
        }
        try expect(UInt8(ascii: "\""))
        let key = try stringContent()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Consumes `[`; follow with `nextElement(first:)` until it returns false.
    mutating func beginArray() throws(JSONError) { try expect(UInt8(ascii: "[")) }

    /// True when another element follows (positioned at it); false once `]` is consumed.
    mutating func nextElement(first: inout Bool) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            return false
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        skipWhitespace()
        return true
    }

    // MARK: - Values

    /// Validates the next value and returns its byte range (without surrounding whitespace).
    @discardableResult
    mutating func value() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try nest()
            position += 1  // past the bracket just matched
            var first = true
            while try nextKey(first: &first) != nil { try value() }
            depth -= 1
        case UInt8(ascii: "["):
            try nest()
            position += 1  // past the bracket just matched
            var first = true
            while try nextElement(first: &first) { try value() }
            depth -= 1
        case UInt8(ascii: "\""):
            position += 1
            _ = try stringContent()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try number()
        }
        return start..<position
    }

    /// Like `value()`, and also notes every object inside the value that holds a member twarc's
    /// `flatten` rules read (`FlattenKey.isRuleSource`), with its members, innermost first.
    @discardableResult
    mutating func valueMarkingRuleObjects(into marks: inout PageLayout.RuleMarks) throws(JSONError) -> Range<Int> {
        skipWhitespace()
        guard position < end else { throw .unexpectedEnd(at: position) }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try nest()
            position += 1  // past the bracket just matched
            var first = true
            var holdsRuleKey = false
            // The object's members wait on the stack until it is known whether it is kept.
            let base = marks.stackCount
            while let key = try nextKey(first: &first) {
                if !holdsRuleKey, FlattenKey.isRuleSource(bytes, key) { holdsRuleKey = true }
                let value = try valueMarkingRuleObjects(into: &marks)
                marks.push(
                    PageLayout.Member(
                        keyStart: key.lowerBound, keyEnd: key.upperBound, valueStart: value.lowerBound, valueEnd: value.upperBound))
            }
            depth -= 1
            if holdsRuleKey { marks.keep(start..<position, stackFrom: base) }
            marks.pop(to: base)
        case UInt8(ascii: "["):
            try nest()
            position += 1  // past the bracket just matched
            var first = true
            while try nextElement(first: &first) { try valueMarkingRuleObjects(into: &marks) }
            depth -= 1
        default:
            try value()
        }
        return start..<position
    }

    /// Moves to `offset`, past a value validated before (the second pass skips what it knows).
    mutating func skip(to offset: Int) {
        position = offset
    }

    private mutating func nest() throws(JSONError) {
        depth += 1
        if depth > Self.maximumDepth { throw .tooDeep(at: position) }
    }

    /// Validates a string and returns the range of its raw content, quotes excluded.
    mutating func string() throws(JSONError) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        return try stringContent()
    }

    /// The rest of a string whose opening quote has been consumed.
    @inline(__always)
    private mutating func stringContent() throws(JSONError) -> Range<Int> {
        let start = position
        while true {
            position = Self.nextSpecialStringByte(bytes, from: position, to: end)
            guard position < end else { throw .unexpectedEnd(at: position) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start..<(position - 1)
            }
            guard byte == UInt8(ascii: "\\") else { throw .controlCharacterInString(at: position) }
            position += 1
            guard position < end else { break }
            switch bytes[position] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                position += 1
            case UInt8(ascii: "u"):
                guard position + 4 < end else { throw .unexpectedEnd(at: position) }
                for offset in 1...4 where Self.hexValue(bytes[position + offset]) == nil {
                    throw .badEscape(at: position)
                }
                position += 5
            default:
                throw .badEscape(at: position)
            }
        }
        throw .unexpectedEnd(at: position)
    }

    private mutating func literal(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= end else { throw .unexpectedEnd(at: position) }
        let pointer = word.utf8Start
        for offset in 0..<count where bytes[position + offset] != pointer[offset] {
            throw .unexpected(byte: bytes[position + offset], at: position + offset)
        }
        position += count
    }

    private mutating func number() throws(JSONError) {
        let start = position
        if position < end, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < end else { throw .unexpectedEnd(at: position) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if Self.isDigit(bytes[position]) {
            while position < end, Self.isDigit(bytes[position]) { position += 1 }
        } else {
            throw .unexpected(byte: bytes[position], at: position)
        }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < end, Self.isDigit(bytes[position]) else { throw .badNumber(at: start) }
            while position < end, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < end, Self.isDigit(bytes[position]) else { throw .badNumber(at: start) }
            while position < end, Self.isDigit(bytes[position]) { position += 1 }
        }
    }

    // MARK: - Decoding the few values we read

    /// True when the raw key/string content equals `literal` (ASCII, no escapes).
    func rawEquals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        var offset = 0
        for index in range {
            if bytes[index] != pointer[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Decodes the raw content of a string (as returned by `string()`), escapes included.
    func decodeString(_ range: Range<Int>) -> String {
        if !bytes[range].contains(UInt8(ascii: "\\")) {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = range.lowerBound
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            flush()
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = hex4(at: index)
                index += 4
                if (0xD800..<0xDC00).contains(code), index + 6 <= range.upperBound,
                    bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escape))
            }
        }
        flush()
        return String(scalars)
    }

    private func hex4(at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(Self.hexValue(bytes[index + offset]) ?? 0) }
        return value
    }

    /// The value of a non-negative integer literal, or nil when it is not one or overflows.
    func integer(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        var value = 0
        for index in range {
            guard Self.isDigit(bytes[index]) else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(bytes[index] - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Where the next quote, backslash or control character is (or `end`): sixteen bytes at a
    /// time in one vector register (SSE2 on x86-64, NEON on arm64), the first such byte found
    /// from the block's two halves without a byte loop; eight, then one at a time near the end.
    @inline(__always)
    static func nextSpecialStringByte(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var index = start
        // Most strings (keys, short values) end in their first sixteen bytes: one block first.
        if index &+ 16 <= end {
            if let found = firstSpecialByte(base, inBlockAt: index) { return found }
            index &+= 16
        }
        // Long strings (texts, descriptions, URLs): two blocks per test.
        while index &+ 32 <= end {
            let low = specialByteMask(UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self))
            let high = specialByteMask(UnsafeRawPointer(base + index + 16).loadUnaligned(as: SIMD16<UInt8>.self))
            let both = unsafeBitCast(low | high, to: SIMD2<UInt64>.self)
            if both[0] | both[1] != 0 {
                let mask = unsafeBitCast(low, to: SIMD2<UInt64>.self)
                if mask[0] != 0 { return index + (mask[0].trailingZeroBitCount >> 3) }
                if mask[1] != 0 { return index + 8 + (mask[1].trailingZeroBitCount >> 3) }
                let upper = unsafeBitCast(high, to: SIMD2<UInt64>.self)
                if upper[0] != 0 { return index + 16 + (upper[0].trailingZeroBitCount >> 3) }
                return index + 24 + (upper[1].trailingZeroBitCount >> 3)
            }
            index &+= 32
        }
        while index &+ 16 <= end {
            if let found = firstSpecialByte(base, inBlockAt: index) { return found }
            index &+= 16
        }
        while index &+ 8 <= end {
            let mask = specialByteMask(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            if mask != 0 { return index + (mask.trailingZeroBitCount >> 3) }
            index &+= 8
        }
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index += 1
        }
        return end
    }

    /// The first quote, backslash or control byte of the sixteen at `index`, if any.
    @inline(__always)
    private static func firstSpecialByte(_ base: UnsafePointer<UInt8>, inBlockAt index: Int) -> Int? {
        let block = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self)
        let mask = unsafeBitCast(specialByteMask(block), to: SIMD2<UInt64>.self)
        if mask[0] != 0 { return index + (mask[0].trailingZeroBitCount >> 3) }
        if mask[1] != 0 { return index + 8 + (mask[1].trailingZeroBitCount >> 3) }
        return nil
    }

    /// 0x80 in each byte of `block` that is a quote, a backslash or below 0x20, 0 in the others:
    /// the test of `specialByteMask(_: UInt64)` in each lane, where no borrow crosses lanes, so
    /// every flagged byte is one.
    @inline(__always)
    static func specialByteMask(_ block: SIMD16<UInt8>) -> SIMD16<UInt8> {
        let ones = SIMD16<UInt8>(repeating: 1)
        let quote = block ^ SIMD16(repeating: 0x22)
        let backslash = block ^ SIMD16(repeating: 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (block &- SIMD16(repeating: 0x20)) & ~block
        return (hasQuote | hasBackslash | hasControl) & SIMD16(repeating: 0x80)
    }

    /// The high bit of each byte of `word` (little-endian) that is a quote, a backslash or below
    /// 0x20; exact for the lowest such byte (higher ones may be flagged falsely).
    @inline(__always)
    static func specialByteMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- (ones &* 0x20)) & ~word
        return (hasQuote | hasBackslash | hasControl) & highs
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Why bytes are not JSON; the offset lets a log line point at the spot.
enum JSONError: Error, Equatable, CustomStringConvertible {
    case unexpectedEnd(at: Int)
    case unexpected(byte: UInt8, at: Int)
    case badEscape(at: Int)
    case badNumber(at: Int)
    case controlCharacterInString(at: Int)
    case tooDeep(at: Int)
    case trailingData(at: Int)

    var description: String {
        switch self {
        case .unexpectedEnd(let at): "JSON ends unexpectedly at byte \(at) (truncated?)"
        case .unexpected(let byte, let at): "unexpected character 0x\(String(byte, radix: 16)) at byte \(at)"
        case .badEscape(let at): "invalid escape in a string at byte \(at)"
        case .badNumber(let at): "invalid number at byte \(at)"
        case .controlCharacterInString(let at): "unescaped control character in a string at byte \(at)"
        case .tooDeep(let at): "nesting deeper than \(JSONScanner.maximumDepth) at byte \(at)"
        case .trailingData(let at): "unexpected data after the JSON value at byte \(at)"
        }
    }
}
