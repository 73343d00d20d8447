import Testing

@testable import ZoneInfo

/// Offsets at hand-checked instants (UTC times in the comments), read from /usr/share/zoneinfo.
@Suite("Zones from the system's TZif files")
struct ZoneInfoTests {
    static func offsets(_ name: String, _ instants: [Int64]) throws -> [Int] {
        let zone = try ZoneInfo.load(name, directory: "/usr/share/zoneinfo")
        return instants.map { zone.offset(at: $0) }
    }

    @Test("Europe/Berlin changes at 01:00 UTC on the last Sundays of March and October, also past 2037")
    func berlin() throws {
        // 2024-03-31T01:00Z, 2024-10-27T01:00Z, 2050-03-27T01:00Z, 2099-03-29T01:00Z.
        let instants: [Int64] = [1_711_846_800, 1_729_990_800, 2_531_955_600, 4_078_429_200]
        let around = instants.flatMap { [$0 - 1, $0] }
        #expect(try Self.offsets("Europe/Berlin", around) == [3600, 7200, 7200, 3600, 3600, 7200, 3600, 7200])
        let berlin = try ZoneInfo.load("Europe/Berlin")
        #expect(berlin.abbreviation(at: 1_711_846_800) == "CEST")
        #expect(berlin.abbreviation(at: 4_078_429_200 - 1) == "CET")
        #expect(berlin.isDaylightSavingTime(at: 4_078_429_200))
    }

    @Test("America/New_York changes at 2:00 local on the second Sunday of March and first of November")
    func newYork() throws {
        // 2024-03-10T07:00Z, 2024-11-03T06:00Z.
        #expect(
            try Self.offsets("America/New_York", [1_710_054_000 - 1, 1_710_054_000, 1_730_613_600 - 1, 1_730_613_600])
                == [-18000, -14400, -14400, -18000])
        #expect(try ZoneInfo.load("America/New_York").abbreviation(at: 1_710_054_000) == "EDT")
    }

    @Test("Australia/Lord_Howe keeps half an hour of DST")
    func lordHowe() throws {
        // Ends 2024-04-06T15:00Z (02:00 +11), starts 2024-10-05T15:30Z (02:00 +1030).
        #expect(
            try Self.offsets("Australia/Lord_Howe", [1_712_415_600 - 1, 1_712_415_600, 1_728_142_200 - 1, 1_728_142_200])
                == [39600, 37800, 37800, 39600])
    }

    @Test("Asia/Kolkata and Asia/Tokyo have one offset all year")
    func noDaylightTime() throws {
        // 2024-07-01 and 2024-12-01, 2099-03-29T01:00Z.
        let instants: [Int64] = [1_719_792_000, 1_733_011_200, 4_078_429_200]
        #expect(try Self.offsets("Asia/Kolkata", instants) == [19800, 19800, 19800])
        #expect(try Self.offsets("Asia/Tokyo", instants) == [32400, 32400, 32400])
        #expect(try ZoneInfo.load("Asia/Kolkata").abbreviation(at: 1_719_792_000) == "IST")
    }

    @Test("America/Sao_Paulo had DST until February 2019 and none since")
    func saoPaulo() throws {
        // Started 2018-11-04T03:00Z, ended 2019-02-17T02:00Z; 2018-12-01, 2024-12-01, 2099-01-01.
        #expect(
            try Self.offsets(
                "America/Sao_Paulo",
                [1_541_300_400 - 1, 1_541_300_400, 1_543_622_400, 1_550_368_800 - 1, 1_550_368_800, 1_733_011_200, 4_070_908_800])
                == [-10800, -7200, -7200, -7200, -10800, -10800, -10800])
    }

    @Test("Pacific/Chatham is 12:45 ahead in winter, 13:45 in summer")
    func chatham() throws {
        // Ends 2024-04-06T14:00Z, starts 2024-09-28T14:00Z.
        #expect(
            try Self.offsets("Pacific/Chatham", [1_712_412_000 - 1, 1_712_412_000, 1_727_532_000 - 1, 1_727_532_000])
                == [49500, 45900, 45900, 49500])
    }

    @Test("Asia/Jerusalem starts DST on Friday 02:00 (rule time 26:00 on the fourth Thursday)")
    func jerusalem() throws {
        // 2024-03-29T00:00Z, and the same rule from the footer in 2090 (Friday March 24, 00:00Z).
        #expect(try Self.offsets("Asia/Jerusalem", [1_711_670_400 - 1, 1_711_670_400]) == [7200, 10800])
        #expect(try Self.offsets("Asia/Jerusalem", [3_793_996_800 - 1, 3_793_996_800]) == [7200, 10800])
    }

    @Test("UTC loads without files; Etc zones from files")
    func utc() throws {
        #expect(try ZoneInfo.load("UTC", directory: "/nonexistent") == .utc)
        #expect(ZoneInfo.utc.offset(at: 1_719_792_000) == 0)
        #expect(ZoneInfo.utc.abbreviation(at: 0) == "UTC")
        #expect(try Self.offsets("Etc/GMT+5", [0, 4_078_429_200]) == [-18000, -18000])
        #expect(try ZoneInfo.load("Etc/UTC").offset(at: 1_719_792_000) == 0)
        #expect(try ZoneInfo.load("Etc/UTC").name == "Etc/UTC")
    }

    @Test(
        "names that could leave the directory or are not zone names are refused before any file is read",
        arguments: ["", "../etc/passwd", "/etc/localtime", "Europe/../../etc/passwd", "Europe/Berlin ", "Europe\\Berlin", "zone.tab", "Ä"])
    func refusesNames(name: String) {
        #expect(throws: ZoneInfoError(name: name, reason: .invalidName)) { try ZoneInfo.load(name) }
    }

    @Test("a missing zone's error names it, the directory, and an example")
    func missingZone() {
        let error = #expect(throws: ZoneInfoError.self) { try ZoneInfo.load("Europe/Berln", directory: "/usr/share/zoneinfo/") }
        #expect(error?.reason == .notFound(directory: "/usr/share/zoneinfo"))
        #expect(
            error?.description
                == "no such time zone \"Europe/Berln\" in /usr/share/zoneinfo; use an IANA name such as Europe/Berlin, or UTC")
    }

    @Test("a directory and a file that is not TZif are refused with reasons")
    func directoryAndNonTZif() {
        let directory = #expect(throws: ZoneInfoError.self) { try ZoneInfo.load("America") }
        #expect(directory?.description.contains("is a directory of zones") == true)
        #expect(directory?.description.contains("America/New_York") == true)
        let text = #expect(throws: ZoneInfoError.self) { try ZoneInfo.load("leapseconds", directory: "/usr/share/zoneinfo") }
        #expect(text?.description.contains("does not start with TZif") == true)
    }

    @Test("leap-second (right/) zones are refused")
    func rightZones() {
        let error = #expect(throws: ZoneInfoError.self) { try ZoneInfo.load("right/Europe/Berlin", directory: "/usr/share/zoneinfo") }
        #expect(error?.description.contains("leap-second") == true)
    }
}
