/// A POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3`, with RFC 8536's extensions: quoted
/// names (`<+0330>`), rule times from -167 to 167 hours, and daylight time that is not later
/// than standard time (Europe/Dublin's negative DST).
///
/// Offsets in the string count west of UTC; the values here are east, like TZif's.
struct PosixTimeZone: Sendable, Equatable {
    struct ParseError: Error, Equatable {
        var detail: String
        init(_ detail: String) { self.detail = detail }
    }

    /// The day of a rule: `Jn` (1...365, February 29 never counted), `n` (0...365, counted) or
    /// `Mm.w.d` (day `d`, 0 = Sunday, of week `w` of month `m`; week 5 is the last).
    enum Day: Sendable, Equatable {
        case julianNoLeap(Int)
        case zeroBased(Int)
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    /// When daylight time starts or ends: a day and seconds after its midnight in the local time
    /// in force before the change.
    struct Change: Sendable, Equatable {
        var day: Day
        var time: Int
    }

    struct Daylight: Sendable, Equatable {
        var type: LocalTimeType
        var start: Change
        var end: Change
    }

    var standard: LocalTimeType
    var daylight: Daylight?

    init(standard: LocalTimeType, daylight: Daylight?) {
        self.standard = standard
        self.daylight = daylight
    }

    init(_ text: String) throws(ParseError) {
        var scanner = Scanner(Array(text.utf8))
        let standardName = try scanner.name()
        let standardOffset = try scanner.offset(maximumHours: 24)
        standard = LocalTimeType(offset: -standardOffset, isDaylight: false, abbreviation: standardName)
        guard !scanner.atEnd else {
            daylight = nil
            return
        }
        let daylightName = try scanner.name()
        var daylightOffset = -standardOffset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") { daylightOffset = -(try scanner.offset(maximumHours: 24)) }
        let type = LocalTimeType(offset: daylightOffset, isDaylight: true, abbreviation: daylightName)
        if scanner.atEnd {
            // POSIX leaves the default rule to the implementation; glibc uses the US rule.
            daylight = Daylight(
                type: type, start: Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200),
                end: Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200))
            return
        }
        try scanner.expect(UInt8(ascii: ","))
        let start = try scanner.change()
        try scanner.expect(UInt8(ascii: ","))
        let end = try scanner.change()
        guard scanner.atEnd else { throw ParseError("unexpected text after the end rule") }
        daylight = Daylight(type: type, start: start, end: end)
    }

    /// Daylight time covers [start(Y), end(Y)) when a year's start comes before its end, else
    /// [start(Y), end(Y + 1)) (southern hemisphere, or negative DST). Years either side of `t`'s
    /// are consulted too, as rule times may cross midnight on December 31 and offsets move the year.
    func localTimeType(at unixSeconds: Int64) -> LocalTimeType {
        guard let daylight else { return standard }
        // The calendar repeats every 400 years; keep far instants where the arithmetic cannot overflow.
        let t = unixSeconds > 1 << 50 || unixSeconds < -(1 << 50) ? unixSeconds % Civil.secondsPer400Years : unixSeconds
        let year = Civil.year(ofDay: Civil.floorDivide(t, 86_400))
        for y in (year - 1)...(year + 1) {
            let start = instant(of: daylight.start, year: y, offset: standard.offset)
            let end = instant(of: daylight.end, year: y, offset: daylight.type.offset)
            let stop = start < end ? end : instant(of: daylight.end, year: y + 1, offset: daylight.type.offset)
            if start <= t, t < stop { return daylight.type }
        }
        return standard
    }

    /// The change in `year` as Unix seconds, given the offset in force before it.
    func instant(of change: Change, year: Int, offset: Int) -> Int64 {
        let day: Int
        switch change.day {
        case .julianNoLeap(let n):
            day = Civil.days(year: year, month: 1, day: 1) + n - 1 + (Civil.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = Civil.days(year: year, month: 1, day: 1) + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = Civil.days(year: year, month: month, day: 1)
            var dayOfMonth = 1 + (weekday - Civil.weekday(ofDay: first) + 7) % 7 + 7 * (week - 1)
            while dayOfMonth > Civil.daysIn(year: year, month: month) { dayOfMonth -= 7 }
            day = first + dayOfMonth - 1
        }
        return Int64(day) * 86_400 + Int64(change.time) - Int64(offset)
    }

    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position == bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func expect(_ byte: UInt8) throws(ParseError) {
            guard peek == byte else { throw ParseError("expected '\(Character(Unicode.Scalar(byte)))' at position \(position + 1)") }
            position += 1
        }

        /// Three or more letters, or `<...>` holding letters, digits, `+` and `-`.
        mutating func name() throws(ParseError) -> String {
            if peek == UInt8(ascii: "<") {
                position += 1
                let start = position
                while let byte = peek, isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                    position += 1
                }
                let name = String(decoding: bytes[start..<position], as: UTF8.self)
                guard name.utf8.count >= 3 else { throw ParseError("a quoted zone name is shorter than three characters") }
                try expect(UInt8(ascii: ">"))
                return name
            }
            let start = position
            while let byte = peek, isLetter(byte) { position += 1 }
            guard position - start >= 3 else { throw ParseError("expected a zone name of three or more letters at position \(start + 1)") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, sign as written.
        mutating func offset(maximumHours: Int) throws(ParseError) -> Int {
            var sign = 1
            if peek == UInt8(ascii: "+") {
                position += 1
            } else if peek == UInt8(ascii: "-") {
                sign = -1
                position += 1
            }
            let hours = try number(digits: 1...3)
            guard hours <= maximumHours else { throw ParseError("\(hours) hours is out of range") }
            var seconds = hours * 3600
            if peek == UInt8(ascii: ":") {
                position += 1
                let minutes = try number(digits: 1...2)
                guard minutes < 60 else { throw ParseError("\(minutes) minutes is out of range") }
                seconds += minutes * 60
                if peek == UInt8(ascii: ":") {
                    position += 1
                    let secondsPart = try number(digits: 1...2)
                    guard secondsPart < 60 else { throw ParseError("\(secondsPart) seconds is out of range") }
                    seconds += secondsPart
                }
            }
            return sign * seconds
        }

        /// `date[/time]`, the time defaulting to 02:00.
        mutating func change() throws(ParseError) -> Change {
            let day: Day
            if peek == UInt8(ascii: "J") {
                position += 1
                let n = try number(digits: 1...3)
                guard (1...365).contains(n) else { throw ParseError("J\(n) is not a day 1...365") }
                day = .julianNoLeap(n)
            } else if peek == UInt8(ascii: "M") {
                position += 1
                let month = try number(digits: 1...2)
                try expect(UInt8(ascii: "."))
                let week = try number(digits: 1...1)
                try expect(UInt8(ascii: "."))
                let weekday = try number(digits: 1...1)
                guard (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else {
                    throw ParseError("M\(month).\(week).\(weekday) is not a month 1...12, week 1...5, day 0...6")
                }
                day = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                let n = try number(digits: 1...3)
                guard n <= 365 else { throw ParseError("day \(n) is not a day 0...365") }
                day = .zeroBased(n)
            }
            var time = 7200
            if peek == UInt8(ascii: "/") {
                position += 1
                time = try offset(maximumHours: 167)
            }
            return Change(day: day, time: time)
        }

        private mutating func number(digits: ClosedRange<Int>) throws(ParseError) -> Int {
            let start = position
            var value = 0
            while let byte = peek, isDigit(byte), position - start < digits.upperBound {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                position += 1
            }
            guard position - start >= digits.lowerBound else { throw ParseError("expected a number at position \(start + 1)") }
            return value
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }

        private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    }
}
