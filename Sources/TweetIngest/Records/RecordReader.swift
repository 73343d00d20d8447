#if canImport(Glibc)
    import Glibc
#endif

/// Reads members of delivered records (minified JSON objects, as the normalizer wrote them) by
/// path, without building a tree: partition keys and Parquet columns come from here.
struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

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
        guard !path.isEmpty else { return nil }
        var scanner = JSONScanner(bytes, range: record)
        var depth = 0
        guard (try? scanner.beginObject()) != nil else { return nil }
        var first = true
        while let key = try? scanner.nextKey(first: &first) {
            guard matches(key, path[depth]) else {
                guard (try? scanner.value()) != nil else { return nil }
                continue
            }
            if depth == path.count - 1 { return try? scanner.value() }
            guard scanner.peek() == UInt8(ascii: "{"), (try? scanner.beginObject()) != nil else { return nil }
            depth += 1
            first = true
        }
        return nil
    }

    /// Calls `body` with each member of the object `object` (key content range, raw value range).
    func forEachMember(of object: Range<Int>, _ body: (Range<Int>, Range<Int>) -> Void) {
        var scanner = JSONScanner(bytes, range: object)
        guard (try? scanner.beginObject()) != nil else { return }
        var first = true
        while let key = try? scanner.nextKey(first: &first) {
            guard let value = try? scanner.value() else { return }
            body(key, value)
        }
    }

    /// Calls `body` with each element (raw range) of the array `array`.
    func forEachElement(of array: Range<Int>, _ body: (Range<Int>) -> Void) {
        var scanner = JSONScanner(bytes, range: array)
        guard (try? scanner.beginArray()) != nil else { return }
        var first = true
        while (try? scanner.nextElement(first: &first)) == true {
            guard let value = try? scanner.value() else { return }
            body(value)
        }
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
