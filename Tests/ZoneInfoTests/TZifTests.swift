import Testing

@testable import ZoneInfo

/// Hand-built TZif files: version 1 without a footer, version 2 with one, and damaged files.
@Suite("TZif parsing")
struct TZifTests {
    struct Record {
        var offset: Int32
        var isDaylight: Bool
        var abbreviation: Int
    }

    static func be32(_ value: Int32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    static func be64(_ value: Int64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }

    static func header(version: UInt8, times: Int, types: Int, characters: Int, leaps: Int = 0) -> [UInt8] {
        Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
            + [0, 0, leaps, times, types, characters].flatMap { be32(Int32($0)) }
    }

    static func block(times: [Int64], indices: [UInt8], types: [Record], characters: String, wide: Bool) -> [UInt8] {
        times.flatMap { wide ? be64($0) : be32(Int32($0)) } + indices
            + types.flatMap { be32($0.offset) + [$0.isDaylight ? 1 : 0, UInt8($0.abbreviation)] } + Array(characters.utf8)
    }

    /// LMT until 0, then STD (+1h) until 1000, DST (+2h) until 2000, STD after; footer as given.
    static func file(version: UInt8, footer: String = "") -> [UInt8] {
        let times: [Int64] = [0, 1000, 2000]
        let indices: [UInt8] = [1, 2, 1]
        let types = [
            Record(offset: 600, isDaylight: false, abbreviation: 0), Record(offset: 3600, isDaylight: false, abbreviation: 4),
            Record(offset: 7200, isDaylight: true, abbreviation: 8),
        ]
        let characters = "LMT\0STD\0DST\0"
        let first =
            header(version: version, times: 3, types: 3, characters: characters.utf8.count)
            + block(times: times, indices: indices, types: types, characters: characters, wide: false)
        guard version != 0 else { return first }
        return first + header(version: version, times: 3, types: 3, characters: characters.utf8.count)
            + block(times: times, indices: indices, types: types, characters: characters, wide: true) + Array("\n\(footer)\n".utf8)
    }

    @Test("a version 1 file is read from its 32-bit block and its last type holds after the last transition")
    func versionOne() throws {
        let zone = try TZif.parse(Self.file(version: 0), name: "Test/One")
        #expect([-1, 0, 999, 1000, 1999, 2000, 1 << 40].map { zone.offset(at: $0) } == [600, 3600, 3600, 7200, 7200, 3600, 3600])
        #expect(zone.abbreviation(at: -1) == "LMT")
        #expect(zone.abbreviation(at: 1500) == "DST")
        #expect(zone.footer == nil)
    }

    @Test("versions 2 to 4 use the 64-bit block and the footer after the last transition", arguments: [UInt8(ascii: "2"), 51, 52])
    func laterVersions(version: UInt8) throws {
        let zone = try TZif.parse(Self.file(version: version, footer: "<+03>-3"), name: "Test/Two")
        #expect([-1, 0, 1500, 1999, 2000, 1 << 40].map { zone.offset(at: $0) } == [600, 3600, 7200, 7200, 10800, 10800])
        #expect(zone.abbreviation(at: 2000) == "+03")
        let empty = try TZif.parse(Self.file(version: version), name: "Test/Two")
        #expect(empty.footer == nil)
        #expect(empty.offset(at: 1 << 40) == 3600)
    }

    @Test("damaged files are refused with a reason")
    func damaged() {
        let good = Self.file(version: UInt8(ascii: "2"), footer: "CET-1CEST,M3.5.0,M10.5.0/3")
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        var badIndex = good
        // The first transition's type in the 64-bit block, after the first header and block.
        let secondHeader = 44 + 3 * 4 + 3 + 3 * 6 + 12
        badIndex[secondHeader + 44 + 3 * 8] = 7
        let cases: [([UInt8], String)] = [
            (Array(good.prefix(30)), "truncated"),
            (Array(good.dropLast(2)), "truncated"),
            (badMagic, "TZif"),
            (badIndex, "missing type"),
            (Self.file(version: UInt8(ascii: "2"), footer: "CET-1CEST,M3.5.0"), "footer"),
            (Self.header(version: 0, times: 0, types: 0, characters: 0), "no local time types"),
            (
                Self.header(version: 0, times: 0, types: 1, characters: 4, leaps: 1) + Self.be32(0) + [0, 0] + Array("UTC\0".utf8)
                    + Self.be32(0) + Self.be32(1),
                "leap-second"
            ),
        ]
        for (bytes, expected) in cases {
            #expect {
                try TZif.parse(bytes, name: "Test/Bad")
            } throws: { error in
                (error as? TZif.ParseError)?.detail.contains(expected) == true
            }
        }
    }

    @Test("transitions out of order are refused")
    func unordered() {
        let characters = "UTC\0"
        let bytes =
            Self.header(version: 0, times: 2, types: 1, characters: 4)
            + Self.block(
                times: [10, 5], indices: [0, 0], types: [Record(offset: 0, isDaylight: false, abbreviation: 0)], characters: characters,
                wide: false)
        #expect(throws: TZif.ParseError("transition times are not ascending")) { try TZif.parse(bytes, name: "Test/Bad") }
    }
}
