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
    let chars = Array(text.utf8)
    func number(_ start: Int, _ count: Int) -> Int? {
        guard start + count <= chars.count else { return nil }
        var value = 0
        for byte in chars[start..<(start + count)] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
    guard chars.count >= 20, let year = number(0, 4), chars[4] == 0x2D, let month = number(5, 2),
        chars[7] == 0x2D, let day = number(8, 2), chars[10] == 0x54 || chars[10] == 0x74,
        let hour = number(11, 2), chars[13] == 0x3A, let minute = number(14, 2), chars[16] == 0x3A,
        let second = number(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24,
        minute < 60, second < 61, day <= daysInMonth(year, month)
    else { return nil }
    var index = 19
    var fraction = 0.0
    if chars[index] == 0x2E {
        index += 1
        var scale = 0.1
        let start = index
        while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 {
            fraction += Double(chars[index] - 0x30) * scale
            scale /= 10
            index += 1
        }
        guard index > start else { return nil }
    }
    guard index < chars.count else { return nil }
    var offsetSeconds = 0
    switch chars[index] {
    case 0x5A, 0x7A:
        guard index + 1 == chars.count else { return nil }
    case 0x2B, 0x2D:
        guard index + 6 == chars.count, let oh = number(index + 1, 2), chars[index + 3] == 0x3A,
            let om = number(index + 4, 2), oh < 24, om < 60
        else { return nil }
        offsetSeconds = (oh * 3600 + om * 60) * (chars[index] == 0x2B ? 1 : -1)
    default:
        return nil
    }
    // days_from_civil
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
    return Date(timeIntervalSince1970: Double(seconds) + fraction)
}
