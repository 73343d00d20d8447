import FoundationEssentials
import ZoneInfo

/// The part of Java's `DateTimeFormatter` patterns that Firehose prefixes use, evaluated in UTC
/// or in a time zone (Firehose's `CustomTimeZone`):
/// `y`/`u` (year; `yy` two digits), `M` (`M`, `MM`, `MMM` Jan, `MMMM` January), `d`, `D` (day
/// of year), `H`, `m`, `s`, `S` (fraction), `E` (`EEE` Mon, `EEEE` Monday), the offset from UTC
/// as Java writes it (`Z` +0530, `ZZZZ` GMT+05:30, `ZZZZZ` +05:30; `X`/`x` +0530 or +05, `XX`
/// +0530, `XXX` +05:30, four and five letters add seconds when there are any; `X` and `ZZZZZ`
/// write Z for UTC), text in single quotes (`''` is a quote), and any other non-letter as itself.
public struct JavaDateFormat: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(String)
        case field(Character, count: Int)
    }

    let tokens: [Token]

    static let supportedLetters: Set<Character> = ["y", "u", "M", "d", "D", "H", "m", "s", "S", "E", "Z", "X", "x"]
    static let maximumCounts: [Character: Int] = [
        "M": 4, "d": 2, "D": 3, "H": 2, "m": 2, "s": 2, "S": 9, "E": 4, "y": 9, "u": 9, "Z": 5, "X": 5, "x": 5,
    ]

    /// Throws a reason naming the offending letter or quote.
    public init(_ pattern: String) throws(JavaDateFormatError) {
        var tokens: [Token] = []
        var characters = Array(pattern)[...]
        while let character = characters.first {
            if character == "'" {
                characters.removeFirst()
                var text = ""
                var closed = false
                while let next = characters.popFirst() {
                    if next == "'" {
                        if characters.first == "'" {
                            characters.removeFirst()
                            text.append("'")
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        text.append(next)
                    }
                }
                guard closed else { throw JavaDateFormatError("a quote ' is not closed; write literal text as 'text'") }
                tokens.append(.literal(text.isEmpty ? "'" : text))
            } else if character.isASCII, character.isLetter {
                let count = characters.prefix { $0 == character }.count
                characters.removeFirst(count)
                guard Self.supportedLetters.contains(character) else {
                    throw JavaDateFormatError(
                        "pattern letter '\(character)' is not supported; use y, M, d, H, m, s (also u, D, S, E, Z, X, x) or quote literal text as '\(character)'"
                    )
                }
                guard count <= Self.maximumCounts[character, default: 2], !(character == "E" && count < 3) else {
                    throw JavaDateFormatError("'\(String(repeating: character, count: count))' is not a valid field width")
                }
                tokens.append(.field(character, count: count))
            } else if "[]{}#".contains(character) {
                throw JavaDateFormatError("'\(character)' is reserved in date patterns; quote it as '\(character)'")
            } else {
                characters.removeFirst()
                tokens.append(.literal(String(character)))
            }
        }
        self.tokens = tokens
    }

    /// `date` formatted in UTC.
    public func format(_ date: Date) -> String {
        format(date, offset: 0)
    }

    /// `date` formatted in `zone`'s local time at that instant (the offset letters give the
    /// zone's offset then).
    public func format(_ date: Date, zone: ZoneInfo) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return format(date, offset: abs(seconds) < 1e15 ? zone.offset(at: Int64(seconds)) : 0)
    }

    private func format(_ date: Date, offset: Int) -> String {
        let local = date.addingTimeInterval(TimeInterval(offset))
        let t = UTCTime(local)
        return tokens.map { token in
            switch token {
            case .literal(let text): return text
            case .field(let letter, let count): return Self.field(letter, count: count, time: t, local: local, offset: offset)
            }
        }.joined()
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    private static let dayNames = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"]

    /// `t` and `local` are the local time (UTC moved by `offset` seconds east).
    private static func field(_ letter: Character, count: Int, time t: UTCTime, local: Date, offset: Int) -> String {
        switch letter {
        case "y", "u": return count == 2 ? pad(t.year % 100, 2) : pad(t.year, max(count, 1))
        case "M":
            switch count {
            case 3: return String(monthNames[t.month - 1].prefix(3))
            case 4: return monthNames[t.month - 1]
            default: return pad(t.month, count)
            }
        case "d": return pad(t.day, count)
        case "D": return pad(dayOfYear(t), count)
        case "H": return pad(t.hour, count)
        case "m": return pad(t.minute, count)
        case "s": return pad(t.second, count)
        case "S": return String((pad(t.millisecond, 3) + String(repeating: "0", count: 6)).prefix(count))
        case "E":
            let days = Int((local.timeIntervalSince1970 / 86_400).rounded(.down))
            let name = dayNames[((days % 7) + 7) % 7]
            return count == 4 ? name : String(name.prefix(3))
        case "Z":
            switch count {
            case 4: return offset == 0 ? "GMT" : "GMT" + offsetText(offset, colon: true, alwaysMinutes: true, seconds: true)
            case 5: return offset == 0 ? "Z" : offsetText(offset, colon: true, alwaysMinutes: true, seconds: true)
            default: return offsetText(offset, colon: false, alwaysMinutes: true, seconds: false)
            }
        case "X", "x":
            if letter == "X", offset == 0 { return "Z" }
            return offsetText(offset, colon: count == 3 || count == 5, alwaysMinutes: count > 1, seconds: count > 3)
        default: return ""
        }
    }

    /// `+HH`, then minutes (always, or when not zero) and seconds (when asked for and not zero).
    private static func offsetText(_ offset: Int, colon: Bool, alwaysMinutes: Bool, seconds: Bool) -> String {
        let magnitude = abs(offset)
        let separator = colon ? ":" : ""
        var text = (offset < 0 ? "-" : "+") + pad(magnitude / 3600)
        let showSeconds = seconds && magnitude % 60 != 0
        if alwaysMinutes || showSeconds || magnitude / 60 % 60 != 0 { text += separator + pad(magnitude / 60 % 60) }
        if showSeconds { text += separator + pad(magnitude % 60) }
        return text
    }

    private static func dayOfYear(_ t: UTCTime) -> Int {
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        let leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0
        return cumulative[t.month - 1] + t.day + (leap && t.month > 2 ? 1 : 0)
    }
}

public struct JavaDateFormatError: Error, Sendable, Equatable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}
