import Testing

@testable import TweetIngest

/// `JSONScanner.nextSpecialStringByte`, the loop every string goes through (32, 16, 8 and 1
/// byte at a time), against a byte-by-byte reference: each special byte at each offset of
/// strings long enough to reach every one of those steps.
@Suite("String scan")
struct StringScanTests {
    private static func reference(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 } ?? bytes.count
    }

    private static func scan(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { JSONScanner.nextSpecialStringByte($0, from: start, to: $0.count) }
    }

    /// Ordinary text around the special byte: ASCII near the special ones (space, `!`, `#`,
    /// `[`, `]`, DEL) and UTF-8 continuation and lead bytes, none of which stop the scan.
    private static func text(_ count: Int) -> [UInt8] {
        let filler: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x61]
        return (0..<count).map { filler[$0 % filler.count] }
    }

    @Test(arguments: [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x0A, 0x1F])
    func findsTheFirstSpecialByteAtEveryOffset(special: UInt8) {
        for length in [1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64, 70] {
            for position in 0..<length {
                var bytes = Self.text(length)
                bytes[position] = special
                for start in [0, 1, 3].filter({ $0 <= position }) {
                    #expect(Self.scan(bytes, from: start) == position, "length \(length), special at \(position), from \(start)")
                }
            }
        }
    }

    @Test func aSecondSpecialByteNeverHidesTheFirst() {
        for length in [40, 70] {
            for first in 0..<length {
                for second in (first + 1)..<min(length, first + 20) {
                    var bytes = Self.text(length)
                    bytes[first] = UInt8(ascii: "\\")
                    bytes[second] = UInt8(ascii: "\"")
                    #expect(Self.scan(bytes, from: 0) == Self.reference(bytes, from: 0))
                }
            }
        }
    }

    @Test func noSpecialByteScansToTheEnd() {
        for length in 0..<100 {
            #expect(Self.scan(Self.text(length), from: 0) == length)
        }
    }
}
