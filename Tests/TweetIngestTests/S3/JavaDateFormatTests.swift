import Foundation
import Testing
import ZoneInfo

@testable import TweetIngest

/// Java date patterns in a time zone, as Firehose evaluates them with `CustomTimeZone`.
@Suite("Java date patterns in time zones")
struct JavaDateFormatTests {
    static func zone(_ name: String) throws -> ZoneInfo { try ZoneInfo.load(name, directory: "/usr/share/zoneinfo") }
    static func format(_ pattern: String, _ unixSeconds: TimeInterval, _ zone: ZoneInfo) throws -> String {
        try JavaDateFormat(pattern).format(Date(timeIntervalSince1970: unixSeconds), zone: zone)
    }

    @Test("UTC formats as before")
    func utcUnchanged() throws {
        let format = try JavaDateFormat("yyyy/MM/dd/HH/ EEE D mm:ss.SSS")
        let date = Date(timeIntervalSince1970: 1_735_687_845.25)
        #expect(format.format(date, zone: .utc) == format.format(date))
        #expect(format.format(date) == "2024/12/31/23/ Tue 366 30:45.250")
    }

    @Test("fields are local time: Berlin's summer hour and New Year")
    func berlin() throws {
        let berlin = try Self.zone("Europe/Berlin")
        // 2024-07-01T00:30:00Z is 02:30 CEST.
        #expect(try Self.format("yyyy/MM/dd/HH/", 1_719_793_800, berlin) == "2024/07/01/02/")
        // 2024-12-31T23:30:45Z is already Wednesday, January 1 in Berlin.
        #expect(try Self.format("yyyy/MM/dd/HH/ EEEE D mm:ss", 1_735_687_845, berlin) == "2025/01/01/00/ Wednesday 1 30:45")
    }

    @Test("New York skips 02:00 on the second Sunday of March")
    func newYork() throws {
        let newYork = try Self.zone("America/New_York")
        // 2024-03-10T06:59:59Z and one second later.
        #expect(try Self.format("dd HH:mm:ss", 1_710_053_999, newYork) == "10 01:59:59")
        #expect(try Self.format("dd HH:mm:ss", 1_710_054_000, newYork) == "10 03:00:00")
    }

    @Test("half-hour offsets keep minutes and fractions: Kolkata")
    func kolkata() throws {
        // 2024-07-01T00:00:00.5Z is 05:30 in Kolkata.
        #expect(try Self.format("HH:mm:ss.SSS", 1_719_792_000.5, Self.zone("Asia/Kolkata")) == "05:30:00.500")
    }

    @Test(
        "offset letters write the zone's offset as Java does",
        arguments: [
            ("Asia/Kolkata", ["+0530", "+0530", "+0530", "GMT+05:30", "+05:30", "+0530", "+0530", "+05:30", "+0530", "+05:30", "+0530"]),
            ("Europe/Berlin", ["+0200", "+0200", "+0200", "GMT+02:00", "+02:00", "+02", "+0200", "+02:00", "+02", "+02:00", "+0200"]),
            (
                "America/St_Johns",
                ["-0230", "-0230", "-0230", "GMT-02:30", "-02:30", "-0230", "-0230", "-02:30", "-0230", "-02:30", "-0230"]
            ),
            ("UTC", ["+0000", "+0000", "+0000", "GMT", "Z", "Z", "Z", "Z", "+00", "+00:00", "Z"]),
        ])
    func offsetLetters(zone name: String, expected: [String]) throws {
        // 2024-07-01T00:00:00Z; patterns Z ZZ ZZZ ZZZZ ZZZZZ X XX XXX x xxx XXXX.
        let patterns = ["Z", "ZZ", "ZZZ", "ZZZZ", "ZZZZZ", "X", "XX", "XXX", "x", "xxx", "XXXX"]
        let zone = try name == "UTC" ? ZoneInfo.utc : Self.zone(name)
        #expect(try patterns.map { try Self.format($0, 1_719_792_000, zone) } == expected)
    }

    @Test("UTC's offset letters without a zone, and too many letters refused")
    func offsetLettersInUTC() throws {
        #expect(try JavaDateFormat("HH'h'XXX").format(Date(timeIntervalSince1970: 0)) == "00hZ")
        #expect(throws: JavaDateFormatError.self) { try JavaDateFormat("XXXXXX") }
        #expect(throws: JavaDateFormatError.self) { try JavaDateFormat("ZZZZZZ") }
    }
}
