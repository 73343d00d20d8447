import Testing

@testable import ZoneInfo

@Suite("POSIX TZ strings (TZif footers)")
struct PosixTimeZoneTests {
    @Test("a European rule parses into names, offsets east of UTC, days and times")
    func parsesEuropeanRule() throws {
        let zone = try PosixTimeZone("CET-1CEST,M3.5.0,M10.5.0/3")
        #expect(zone.standard == LocalTimeType(offset: 3600, isDaylight: false, abbreviation: "CET"))
        let daylight = try #require(zone.daylight)
        #expect(daylight.type == LocalTimeType(offset: 7200, isDaylight: true, abbreviation: "CEST"))
        #expect(daylight.start == .init(day: .monthWeekDay(month: 3, week: 5, weekday: 0), time: 7200))
        #expect(daylight.end == .init(day: .monthWeekDay(month: 10, week: 5, weekday: 0), time: 10800))
    }

    @Test("quoted names, minutes in offsets and an explicit daylight offset")
    func parsesQuotedNamesAndMinutes() throws {
        let tehran = try PosixTimeZone("<+0330>-3:30")
        #expect(tehran.standard == LocalTimeType(offset: 12600, isDaylight: false, abbreviation: "+0330"))
        #expect(tehran.daylight == nil)
        let lordHowe = try PosixTimeZone("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")
        #expect(lordHowe.standard.offset == 37800)
        #expect(lordHowe.daylight?.type == LocalTimeType(offset: 39600, isDaylight: true, abbreviation: "+11"))
        let chatham = try PosixTimeZone("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45")
        #expect(chatham.daylight?.type.offset == 49500)
        #expect(chatham.daylight?.start.time == 9900)
        let troll = try PosixTimeZone("<+00>0<+02>-2,M3.5.0/1,M10.5.0/3")
        #expect(troll.daylight?.type.offset == 7200)
    }

    @Test("RFC 8536 extensions: rule times past 24 hours and negative ones")
    func parsesExtendedTimes() throws {
        #expect(try PosixTimeZone("IST-2IDT,M3.4.4/26,M10.5.0").daylight?.start.time == 26 * 3600)
        #expect(try PosixTimeZone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").daylight?.start.time == -3600)
        #expect(try PosixTimeZone("AAA3BBB,J1/167,J365/-167").daylight?.end.time == -167 * 3600)
        #expect(try PosixTimeZone("<-04>4<-03>,M9.1.6/24,M4.1.6/24").daylight?.end.time == 24 * 3600)
    }

    @Test("daylight time without a rule defaults to the US rule, one hour ahead")
    func defaultsToUSRule() throws {
        let zone = try PosixTimeZone("EST5EDT")
        #expect(zone.standard.offset == -18000)
        #expect(zone.daylight?.type.offset == -14400)
        #expect(zone.daylight?.start == .init(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200))
        #expect(zone.daylight?.end == .init(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200))
        // 2024-03-10T07:00:00Z and 2024-11-03T06:00:00Z.
        #expect(zone.localTimeType(at: 1_710_054_000 - 1).offset == -18000)
        #expect(zone.localTimeType(at: 1_710_054_000).offset == -14400)
        #expect(zone.localTimeType(at: 1_730_613_600 - 1).offset == -14400)
        #expect(zone.localTimeType(at: 1_730_613_600).offset == -18000)
    }

    @Test(
        "malformed strings are refused",
        arguments: [
            "", "CE-1", "CET", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
            "<+03-3", "<+3>-3", "CET25", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,J0,J365", "CET-1CEST,366,0",
            "CET-1CEST,M3.5.0,M10.5.0x",
            "CET-1:60", "CET-1CEST,M3.5.0/2:00:60,M10.5.0",
        ])
    func refusesMalformed(text: String) {
        #expect(throws: PosixTimeZone.ParseError.self) { try PosixTimeZone(text) }
    }

    @Test("Mm.w.d: week 5 is the last such weekday, week 1 the first")
    func monthWeekDay() throws {
        let zone = try PosixTimeZone("CET-1CEST,M3.5.0,M10.5.0/3")
        let rule = try #require(zone.daylight)
        // Last Sundays of March: 2024-03-31, 2050-03-27, 2099-03-29, each at 01:00 UTC.
        #expect(zone.instant(of: rule.start, year: 2024, offset: 3600) == 1_711_846_800)
        #expect(zone.instant(of: rule.start, year: 2050, offset: 3600) == 2_531_955_600)
        #expect(zone.instant(of: rule.start, year: 2099, offset: 3600) == 4_078_429_200)
        // Last Sunday of October 2024 at 03:00 CEST is 01:00 UTC.
        #expect(zone.instant(of: rule.end, year: 2024, offset: 7200) == 1_729_990_800)
    }

    @Test("Jn never counts February 29; n does")
    func julianDays() throws {
        let zone = try PosixTimeZone("AAA0BBB,J60/0,300/0")
        let rule = try #require(zone.daylight)
        // J60 is March 1 in any year: 2024-03-01 and 2023-03-01 at 00:00 UTC.
        #expect(zone.instant(of: rule.start, year: 2024, offset: 0) == 1_709_251_200)
        #expect(zone.instant(of: rule.start, year: 2023, offset: 0) == 1_677_628_800)
        // Day 300 counted from 0 is 2024-10-27 in a leap year, 2023-10-28 otherwise.
        #expect(zone.instant(of: rule.end, year: 2024, offset: 0) == 1_729_987_200)
        #expect(zone.instant(of: rule.end, year: 2023, offset: 0) == 1_698_451_200)
    }

    @Test("southern-hemisphere and negative DST rules span the new year")
    func southernRules() throws {
        let chatham = try PosixTimeZone("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45")
        // Ends 2024-04-06T14:00:00Z, starts 2024-09-28T14:00:00Z.
        #expect(chatham.localTimeType(at: 1_712_412_000 - 1).offset == 49500)
        #expect(chatham.localTimeType(at: 1_712_412_000).offset == 45900)
        #expect(chatham.localTimeType(at: 1_727_532_000 - 1).offset == 45900)
        #expect(chatham.localTimeType(at: 1_727_532_000).offset == 49500)
        // 2024-12-01 and 2025-01-01 00:00 UTC, both in summer time.
        #expect(chatham.localTimeType(at: 1_733_011_200).offset == 49500)
        #expect(chatham.localTimeType(at: 1_735_689_600).offset == 49500)
        let dublin = try PosixTimeZone("IST-1GMT0,M10.5.0,M3.5.0/1")
        #expect(dublin.localTimeType(at: 1_719_792_000) == LocalTimeType(offset: 3600, isDaylight: false, abbreviation: "IST"))
        #expect(dublin.localTimeType(at: 1_733_011_200) == LocalTimeType(offset: 0, isDaylight: true, abbreviation: "GMT"))
        #expect(dublin.localTimeType(at: 1_711_846_800 - 1).offset == 0)
        #expect(dublin.localTimeType(at: 1_711_846_800).offset == 3600)
    }

    @Test("daylight time all year (start January 1, end December 31 at 25:00) never lapses")
    func allYearDaylight() throws {
        let zone = try PosixTimeZone("<-03>3<-02>,0/0,J365/25")
        for t in stride(from: Int64(1_700_000_000), to: 1_800_000_000, by: 86_400 * 7 + 3599) {
            #expect(zone.localTimeType(at: t).offset == -7200)
        }
        // Around the new year 2025 (1735689600) and 2025-01-01 02:00 local.
        for t in [1_735_689_600 - 1, 1_735_689_600, 1_735_696_800, 1_735_696_800 + 3600] as [Int64] {
            #expect(zone.localTimeType(at: t).offset == -7200)
        }
    }

    @Test("far instants neither trap nor leave the rule")
    func farInstants() throws {
        let zone = try PosixTimeZone("CET-1CEST,M3.5.0,M10.5.0/3")
        #expect([3600, 7200].contains(zone.localTimeType(at: .max).offset))
        #expect([3600, 7200].contains(zone.localTimeType(at: .min).offset))
        // 2024-07-01 plus 1000 Gregorian cycles is July too.
        #expect(zone.localTimeType(at: 1_719_792_000 + 1000 * Civil.secondsPer400Years).offset == 7200)
    }
}
