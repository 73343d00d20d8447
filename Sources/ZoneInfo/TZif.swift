/// Reads TZif files, versions 1 to 4 (RFC 8536). Version 2 and later files are read from their
/// 64-bit block and footer; version 1 files from their 32-bit block, without a footer.
enum TZif {
    struct ParseError: Error, Equatable {
        var detail: String
        init(_ detail: String) { self.detail = detail }
    }

    struct Counts {
        var isUT: Int
        var isStandard: Int
        var leap: Int
        var time: Int
        var type: Int
        var characters: Int

        func blockSize(timeSize: Int) -> Int {
            time * timeSize + time + type * 6 + characters + leap * (timeSize + 4) + isStandard + isUT
        }
    }

    static func parse(_ bytes: [UInt8], name: String) throws(ParseError) -> ZoneInfo {
        var reader = Reader(bytes: bytes)
        let (version, firstCounts) = try header(&reader)
        guard version >= 2 else { return try block(&reader, counts: firstCounts, timeSize: 4, name: name, footer: nil) }
        try reader.skip(firstCounts.blockSize(timeSize: 4))
        let (_, counts) = try header(&reader)
        let start = reader.position
        try reader.skip(counts.blockSize(timeSize: 8))
        let footer = try footerRule(&reader)
        reader.position = start
        return try block(&reader, counts: counts, timeSize: 8, name: name, footer: footer)
    }

    private static func header(_ reader: inout Reader) throws(ParseError) -> (version: Int, counts: Counts) {
        guard try reader.bytes(4) == Array("TZif".utf8) else { throw ParseError("it does not start with TZif") }
        let versionByte = try reader.byte()
        let version: Int
        switch versionByte {
        case 0: version = 1
        case UInt8(ascii: "2")...UInt8(ascii: "9"): version = Int(versionByte - UInt8(ascii: "0"))
        default: throw ParseError("unknown version byte \(versionByte)")
        }
        try reader.skip(15)
        var values: [Int] = []
        for _ in 0..<6 {
            let value = try reader.uint32()
            guard value <= 1 << 20 else { throw ParseError("a header count of \(value) is implausible") }
            values.append(Int(value))
        }
        let counts = Counts(
            isUT: values[0], isStandard: values[1], leap: values[2], time: values[3], type: values[4], characters: values[5])
        guard counts.type >= 1, counts.characters >= 1 else { throw ParseError("no local time types") }
        guard counts.isUT == 0 || counts.isUT == counts.type, counts.isStandard == 0 || counts.isStandard == counts.type else {
            throw ParseError("standard/UT indicator counts differ from the type count")
        }
        return (version, counts)
    }

    private static func block(
        _ reader: inout Reader, counts: Counts, timeSize: Int, name: String, footer: PosixTimeZone?
    ) throws(ParseError) -> ZoneInfo {
        guard counts.leap == 0 else { throw ParseError("it has leap-second records (a right/ zone); use the zone without right/") }
        var transitions: [Int64] = []
        transitions.reserveCapacity(counts.time)
        for _ in 0..<counts.time {
            let time = timeSize == 8 ? Int64(bitPattern: try reader.uint64()) : Int64(Int32(bitPattern: try reader.uint32()))
            if let previous = transitions.last, time <= previous { throw ParseError("transition times are not ascending") }
            transitions.append(time)
        }
        let transitionTypes = try reader.bytes(counts.time)
        guard transitionTypes.allSatisfy({ Int($0) < counts.type }) else { throw ParseError("a transition names a missing type") }
        var records: [(offset: Int32, isDaylight: Bool, index: Int)] = []
        for _ in 0..<counts.type {
            let offset = Int32(bitPattern: try reader.uint32())
            let isDaylight = try reader.byte()
            let index = Int(try reader.byte())
            guard offset != Int32.min, isDaylight <= 1, index < counts.characters else {
                throw ParseError("a local time type is malformed")
            }
            records.append((offset, isDaylight == 1, index))
        }
        let characters = try reader.bytes(counts.characters)
        let types = records.map { record in
            let name = characters[record.index...].prefix { $0 != 0 }
            return LocalTimeType(
                offset: Int(record.offset), isDaylight: record.isDaylight, abbreviation: String(decoding: name, as: UTF8.self))
        }
        return ZoneInfo(name: name, transitions: transitions, transitionTypes: transitionTypes, types: types, footer: footer)
    }

    /// The footer: a newline, a POSIX TZ string (possibly empty) and a newline.
    private static func footerRule(_ reader: inout Reader) throws(ParseError) -> PosixTimeZone? {
        guard try reader.byte() == UInt8(ascii: "\n") else { throw ParseError("the footer does not start with a newline") }
        var text: [UInt8] = []
        while true {
            let byte = try reader.byte()
            if byte == UInt8(ascii: "\n") { break }
            text.append(byte)
        }
        guard !text.isEmpty else { return nil }
        let string = String(decoding: text, as: UTF8.self)
        do {
            return try PosixTimeZone(string)
        } catch {
            throw ParseError("footer \"\(string)\": \(error.detail)")
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func byte() throws(ParseError) -> UInt8 {
            guard position < bytes.count else { throw ParseError("it is truncated") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func bytes(_ count: Int) throws(ParseError) -> [UInt8] {
            guard count <= bytes.count - position else { throw ParseError("it is truncated") }
            defer { position += count }
            return Array(bytes[position..<position + count])
        }

        mutating func skip(_ count: Int) throws(ParseError) {
            guard count <= bytes.count - position else { throw ParseError("it is truncated") }
            position += count
        }

        mutating func uint32() throws(ParseError) -> UInt32 {
            try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func uint64() throws(ParseError) -> UInt64 {
            try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
