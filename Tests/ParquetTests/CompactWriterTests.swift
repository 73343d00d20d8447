import Testing

@testable import Parquet

/// Byte vectors computed by hand from the Thrift compact protocol specification.
@Suite("Thrift compact protocol")
struct CompactWriterTests {
    private func bytes(_ build: (inout CompactWriter) -> Void) -> [UInt8] {
        var writer = CompactWriter()
        build(&writer)
        return writer.bytes
    }

    @Test func varintsAreSevenBitsLittleEndianWithContinuationBits() {
        #expect(bytes { $0.writeVarint(0) } == [0x00])
        #expect(bytes { $0.writeVarint(127) } == [0x7F])
        #expect(bytes { $0.writeVarint(128) } == [0x80, 0x01])
        #expect(bytes { $0.writeVarint(300) } == [0xAC, 0x02])
        #expect(bytes { $0.writeVarint(UInt64.max) } == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func zigzagInterleavesNegativeAndPositive() {
        let writer = CompactWriter()
        #expect(writer.zigzag(0) == 0)
        #expect(writer.zigzag(-1) == 1)
        #expect(writer.zigzag(1) == 2)
        #expect(writer.zigzag(-2) == 3)
        #expect(writer.zigzag(Int64(Int32.max)) == 4_294_967_294)
        #expect(writer.zigzag(Int64.min) == UInt64.max)
    }

    @Test func shortFieldHeadersPackTheIdDeltaAndType() {
        // i32 1 as field 1: delta 1, type 5; zigzag(1) = 2. Then field 3 (delta 2), i32 -1.
        #expect(
            bytes {
                $0.field(1, i32: 1); $0.field(3, i32: -1)
            } == [0x15, 0x02, 0x25, 0x01])
        #expect(bytes { $0.field(1, i64: -2) } == [0x16, 0x03])
        #expect(bytes { $0.field(2, i16: 7) } == [0x24, 0x0E])
    }

    @Test func largeOrDecreasingIdDeltasUseTheLongForm() {
        // Field 20 after field 1: delta 19 > 15, so the type byte then zigzag(20) = 40.
        #expect(
            bytes {
                $0.field(1, i32: 0); $0.field(20, i32: 5)
            } == [0x15, 0x00, 0x05, 0x28, 0x0A])
        // Field 16 first: delta 16.
        #expect(bytes { $0.field(16, i64: 1) } == [0x06, 0x20, 0x02])
        // Decreasing: field 2 after field 5.
        #expect(
            bytes {
                $0.field(5, i32: 0); $0.field(2, i32: 0)
            } == [0x55, 0x00, 0x05, 0x04, 0x00])
    }

    @Test func boolFieldsCarryTheirValueInTheTypeNibble() {
        #expect(
            bytes {
                $0.field(1, bool: true); $0.field(2, bool: false)
            } == [0x11, 0x12])
    }

    @Test func binaryAndStringFieldsAreLengthPrefixed() {
        #expect(bytes { $0.field(4, string: "ab") } == [0x48, 0x02, 0x61, 0x62])
        #expect(bytes { $0.field(1, binary: [UInt8]()) } == [0x18, 0x00])
    }

    @Test func listHeadersHoldShortSizesInTheHighNibble() {
        let short = bytes { writer in
            writer.beginList(2, of: .i32, count: 3)
            for value: Int32 in [0, -1, 1] { writer.element(i32: value) }
        }
        #expect(short == [0x29, 0x35, 0x00, 0x01, 0x02])
        let long = bytes { writer in
            writer.beginList(1, of: .binary, count: 15)
            for _ in 0..<15 { writer.element(string: "") }
        }
        #expect(long == [0x19, 0xF8, 0x0F] + Array(repeating: 0x00, count: 15))
    }

    @Test func nestedStructsNumberTheirFieldsAfresh() {
        let nested = bytes { writer in
            writer.beginStruct(1)
            writer.field(1, i32: 1)
            writer.endStruct()
            writer.field(2, i32: 2)
        }
        // Struct field 1 (0x1C), inner field 1 (0x15 0x02), stop, then outer field 2 at delta 1.
        #expect(nested == [0x1C, 0x15, 0x02, 0x00, 0x15, 0x04])
        let elements = bytes { writer in
            writer.beginList(3, of: .struct, count: 2)
            for value: Int32 in [1, 2] {
                writer.beginStructElement()
                writer.field(1, i32: value)
                writer.endStruct()
            }
            writer.field(4, bool: true)
        }
        #expect(elements == [0x39, 0x2C, 0x15, 0x02, 0x00, 0x15, 0x04, 0x00, 0x11])
    }

    @Test func emptyStructIsOnlyTheStopByte() {
        #expect(
            bytes {
                $0.beginStruct(1); $0.endStruct()
            } == [0x1C, 0x00])
    }
}
