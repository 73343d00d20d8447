/// An encoder for the Thrift compact protocol, enough of it for Parquet's footer and page
/// headers: structs (nested, with field-id deltas), i32, i64, binary, bool, and lists.
///
/// Callers write fields in increasing id order, as generated Thrift code does; a nested struct
/// starts its own field-id numbering and `endStruct()` restores the outer one.
struct CompactWriter {
    /// Compact-protocol type codes, as they appear in a field header or a list header.
    enum FieldType: UInt8 {
        case booleanTrue = 1
        case booleanFalse = 2
        case byte = 3
        case i16 = 4
        case i32 = 5
        case i64 = 6
        case double = 7
        case binary = 8
        case list = 9
        case set = 10
        case map = 11
        case `struct` = 12
    }

    var bytes: [UInt8]
    private var lastFieldID: Int16 = 0
    private var outerFieldIDs: [Int16] = []

    init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    // MARK: Fields

    mutating func field(_ id: Int16, i16 value: Int16) {
        fieldHeader(id, .i16)
        writeVarint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        writeVarint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        writeVarint(zigzag(value))
    }

    mutating func field(_ id: Int16, binary value: some Collection<UInt8>) {
        fieldHeader(id, .binary)
        writeBinary(value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: value.utf8)
    }

    /// A bool field carries its value in the header's type nibble; no byte follows.
    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .booleanTrue : .booleanFalse)
    }

    /// Starts a struct-valued field; its fields follow, then `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .struct)
        beginStructElement()
    }

    /// Starts a struct that is an element of a list (no field header).
    mutating func beginStructElement() {
        outerFieldIDs.append(lastFieldID)
        lastFieldID = 0
    }

    /// Writes the stop byte of the current struct and returns to the enclosing one.
    mutating func endStruct() {
        bytes.append(0)
        lastFieldID = outerFieldIDs.popLast() ?? 0
    }

    /// A list field's header; its `count` elements follow, written with the element writers.
    mutating func beginList(_ id: Int16, of elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        listHeader(elementType, count: count)
    }

    mutating func listHeader(_ elementType: FieldType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    // MARK: List elements

    mutating func element(i32 value: Int32) {
        writeVarint(zigzag(Int64(value)))
    }

    mutating func element(binary value: some Collection<UInt8>) {
        writeBinary(value)
    }

    mutating func element(string value: String) {
        writeBinary(value.utf8)
    }

    // MARK: Primitives

    /// The short form packs the id delta (1...15) and type into one byte; otherwise the type
    /// byte is followed by the id as a zigzag varint.
    private mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(zigzag(Int64(id)))
        }
        lastFieldID = id
    }

    private mutating func writeBinary(_ value: some Collection<UInt8>) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}
