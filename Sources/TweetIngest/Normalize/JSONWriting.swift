/// Small helpers that append JSON text to a byte buffer without Foundation's encoder, so the
/// hot path (one record per tweet) allocates nothing but the output.
enum JSONWriting {
    /// Appends the JSON value in `range` with insignificant whitespace removed, so that a
    /// pretty-printed page still yields one record per line.
    static func appendMinified(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: inout [UInt8]) {
        var index = range.lowerBound
        var runStart = index
        var inString = false
        while index < range.upperBound {
            if inString {
                // Most of a tweet is string content: skip it eight bytes at a time.
                index = JSONScanner.nextSpecialStringByte(bytes, from: index, to: range.upperBound)
                guard index < range.upperBound else { break }
            }
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
            }
            index += 1
        }
        if runStart < range.upperBound {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<range.upperBound]))
        }
    }

    /// Appends `text` as a JSON string literal, quotes included.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A finite double as JSON: integral values without a fraction (as `JSONEncoder` writes
    /// them), others in Swift's shortest round-tripping form.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    static func appendLiteral(_ text: StaticString, to out: inout [UInt8]) {
        // One or two bytes (`,` `{}` `[]`, most literals) go in as bytes: a fraction of the
        // cost of a general append.
        switch text.utf8CodeUnitCount {
        case 1:
            out.append(text.utf8Start[0])
        case 2:
            out.append(text.utf8Start[0])
            out.append(text.utf8Start[1])
        default:
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x61 + value - 10
    }
}
