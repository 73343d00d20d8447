import Foundation
import Glibc
import Testing

@testable import ZoneInfo

/// glibc's own reading of the same files: `localtime_r`'s `tm_gmtoff` with `TZ=:<name>`.
///
/// TZ is process-wide, so every use goes through `withZone`, which holds a lock and restores TZ.
enum GlibcReference {
    private static let lock = NSLock()

    static func withZone<T>(_ name: String, _ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", ":" + name, 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        return body()
    }

    /// Only inside `withZone`.
    static func offset(at t: Int64) -> Int {
        var time = time_t(t)
        var broken = tm()
        guard localtime_r(&time, &broken) != nil else { return Int.min }
        return broken.tm_gmtoff
    }
}

/// Compares a `ZoneInfo` with glibc at many instants and reports where they differ.
struct Verifier {
    struct Mismatch: CustomStringConvertible {
        var zone: String
        var instant: Int64
        var ours: Int
        var glibc: Int
        var description: String { "\(zone) at \(instant): ours \(ours), glibc \(glibc)" }
    }

    static let from1970: Int64 = 0
    static let to2100: Int64 = 4_102_444_800
    static let from2020: Int64 = 1_577_836_800
    static let to2041: Int64 = 2_240_524_800
    static let to2061: Int64 = 2_871_676_800

    /// Every `days` days 1970...2100 (at a different time of day each step), plus each change of
    /// offset either side sees in `changesIn`, exactly and one second either side. The default
    /// range runs past 2037, where Debian's files end and the footer rule takes over.
    static func instants(_ offset: (Int64) -> Int, days: Int64 = 10, changesIn: Range<Int64> = from2020..<to2061) -> [Int64] {
        var instants = Array(stride(from: from1970 + 3_599, to: to2100, by: Int(days * 86_400 + 3_607)))
        for change in changes(offset, from: changesIn.lowerBound, to: changesIn.upperBound) {
            instants += [change - 1, change, change + 1]
        }
        return instants
    }

    /// Instants where `offset` changes, found by six-hour steps and bisection.
    static func changes(_ offset: (Int64) -> Int, from: Int64, to: Int64) -> [Int64] {
        var changes: [Int64] = []
        var previous = offset(from)
        var t = from
        while t < to {
            let next = t + 6 * 3600
            let value = offset(next)
            if value != previous {
                var low = t
                var high = next
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if offset(middle) == previous { low = middle } else { high = middle }
                }
                changes.append(high)
                previous = value
            }
            t = next
        }
        return changes
    }

    static func mismatches(
        _ zone: ZoneInfo, glibcName: String, days: Int64 = 10, changesIn: Range<Int64> = from2020..<to2061
    ) -> [Mismatch] {
        GlibcReference.withZone(glibcName) {
            let glibc = instants(GlibcReference.offset, days: days, changesIn: changesIn)
            let instants = Set(glibc + instants(zone.offset(at:), days: days, changesIn: changesIn)).sorted()
            return instants.compactMap { t in
                let ours = zone.offset(at: t)
                let glibc = GlibcReference.offset(at: t)
                return ours == glibc ? nil : Mismatch(zone: glibcName, instant: t, ours: ours, glibc: glibc)
            }
        }
    }
}

@Suite("ZoneInfo agrees with glibc", .serialized)
struct GlibcVerifierTests {
    static let zones = [
        "Europe/Berlin", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Moscow", "Europe/Kyiv", "Atlantic/Azores",
        "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Phoenix", "America/Anchorage", "America/Halifax",
        "America/St_Johns", "America/Havana", "America/Mexico_City", "America/Sao_Paulo", "America/Santiago", "America/Asuncion",
        "America/Nuuk", "America/Scoresbysund", "America/Caracas", "America/Argentina/Buenos_Aires", "Pacific/Honolulu",
        "Pacific/Auckland", "Pacific/Chatham", "Pacific/Apia", "Pacific/Fiji", "Pacific/Kiritimati", "Pacific/Marquesas",
        "Australia/Sydney", "Australia/Adelaide", "Australia/Lord_Howe", "Australia/Eucla", "Asia/Kolkata", "Asia/Kathmandu",
        "Asia/Tehran", "Asia/Jerusalem", "Asia/Gaza", "Asia/Tokyo", "Asia/Shanghai", "Asia/Pyongyang", "Africa/Cairo",
        "Africa/Casablanca", "Africa/Johannesburg", "Antarctica/Troll", "Etc/GMT+5", "Etc/GMT-14", "UTC", "EST5EDT",
    ]

    @Test("offsets agree with glibc's localtime_r, 1970 to 2100 and around every change of 2020 to 2060", arguments: zones)
    func agreesWithGlibc(name: String) throws {
        let zone = try ZoneInfo.load(name, directory: "/usr/share/zoneinfo")
        let mismatches = Verifier.mismatches(zone, glibcName: name)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first \(mismatches.prefix(5))")
    }

    /// Every zone and link tzdata.zi names, more coarsely: every 30 days, and changes in 2024...2026.
    @Test("every zone of tzdata loads and agrees with glibc")
    func everyZone() throws {
        let source = try String(contentsOfFile: "/usr/share/zoneinfo/tzdata.zi", encoding: .utf8)
        let names = source.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            switch fields.first {
            case "Z": return String(fields[1])
            case "L": return String(fields[2])
            default: return nil
            }
        }
        #expect(names.count > 500)
        var failures: [String] = []
        for name in names {
            do {
                let zone = try ZoneInfo.load(name, directory: "/usr/share/zoneinfo")
                let mismatches = Verifier.mismatches(zone, glibcName: name, days: 30, changesIn: 1_704_067_200..<1_798_761_600)
                if let first = mismatches.first { failures.append("\(mismatches.count) mismatches, first \(first)") }
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) zones: \(failures.prefix(10))")
    }

    @Test("the verifier sees changes: Europe/Berlin has two a year in 2020...2040")
    func findsChanges() {
        let changes = GlibcReference.withZone("Europe/Berlin") {
            Verifier.changes(GlibcReference.offset, from: Verifier.from2020, to: Verifier.to2041)
        }
        #expect(changes.count == 42)
        // 2024-03-31T01:00Z is among them, to the second.
        #expect(changes.contains(1_711_846_800))
    }

    @Test("the verifier reports a zone whose footer rule is ignored: no DST after the last transition")
    func catchesIgnoredFooter() throws {
        let zone = try ZoneInfo.load("Europe/Berlin", directory: "/usr/share/zoneinfo").droppingFooter()
        let mismatches = Verifier.mismatches(zone, glibcName: "Europe/Berlin")
        #expect(!mismatches.isEmpty)
        // Debian's files list transitions up to 2037; every mismatch is a summer after that.
        #expect(mismatches.count > 500)
        #expect(mismatches.allSatisfy { $0.instant > 2_145_916_800 && $0.ours == 3600 && $0.glibc == 7200 })
    }

    @Test("the verifier reports a zone read as another")
    func catchesWrongZone() throws {
        let zone = try ZoneInfo.load("America/New_York", directory: "/usr/share/zoneinfo")
        #expect(Verifier.mismatches(zone, glibcName: "America/Chicago").count > 1000)
    }
}
