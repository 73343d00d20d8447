import FoundationEssentials

/// Calendar fields of an instant in UTC, computed without DateFormatter (thread-safe, fast,
/// locale-free). Used for RFC 3339 timestamps and Firehose's `YYYY/MM/DD/HH` key layout.
public struct UTCTime: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(_ date: Date) {
        let totalMilliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (days, msOfDay) = Self.floorDivide(totalMilliseconds, 86_400_000)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hour = msOfDay / 3_600_000
        minute = msOfDay / 60_000 % 60
        second = msOfDay / 1000 % 60
        millisecond = msOfDay % 1000
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> (Int, Int) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// `2021-04-08T19:34:16.000Z`, the form the X API uses for `created_at`.
    public var rfc3339Milliseconds: String {
        "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(millisecond, 3))Z"
    }

    /// `2021-04-08T19:34:16Z`, the form the X API accepts for `start_time`.
    public var rfc3339Seconds: String {
        "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second))Z"
    }
}

func pad(_ value: Int, _ width: Int = 2) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

func daysInMonth(_ year: Int, _ month: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Parses RFC 3339 timestamps such as `2021-04-08T19:34:16Z`, `2021-04-08T19:34:16.123Z` or
/// `2021-04-08T21:34:16+02:00`. Returns nil for anything else.
public func parseRFC3339(_ text: String) -> Date? {
    var text = text
    return text.withUTF8 { bytes in
        RFC3339.parse(bytes, 0..<bytes.count).map { Date(timeIntervalSince1970: Double($0.seconds) + Double($0.nanoseconds) / 1e9) }
    }
}

/// RFC 3339 timestamps on raw bytes (a record's `created_at`), without making a String.
enum RFC3339 {
    /// Unix seconds and the fraction in nanoseconds (digits past the ninth are ignored).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (seconds: Int, nanoseconds: Int)? {
        var index = range.lowerBound
        func digits(_ count: Int) -> Int? {
            guard index + count <= range.upperBound else { return nil }
            var value = 0
            for _ in 0..<count {
                let digit = Int(bytes[index]) - 0x30
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
                index += 1
            }
            return value
        }
        func expect(_ byte: UInt8, or other: UInt8? = nil) -> Bool {
            guard index < range.upperBound, bytes[index] == byte || bytes[index] == other else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, or: 0x74), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A),
            let second = digits(2), (1...12).contains(month), day >= 1, day <= daysInMonth(year, month), hour < 24,
            minute < 60, second < 61
        else { return nil }
        var nanoseconds = 0
        if index < range.upperBound, bytes[index] == 0x2E {
            index += 1
            var scale = 100_000_000
            let start = index
            while index < range.upperBound, (0x30...0x39).contains(bytes[index]) {
                nanoseconds += Int(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < range.upperBound else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            index += 1
        case 0x2B, 0x2D:
            let sign = bytes[index] == 0x2B ? 1 : -1
            index += 1
            guard let oh = digits(2), expect(0x3A), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * sign
        default:
            return nil
        }
        guard index == range.upperBound else { return nil }
        // days_from_civil
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return (days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds, nanoseconds)
    }

    /// Unix milliseconds (the fraction cut to milliseconds).
    static func milliseconds(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        parse(bytes, range).map { Int64($0.seconds) * 1000 + Int64($0.nanoseconds / 1_000_000) }
    }
}
