import FoundationEssentials

/// A `GET /2/usage/tweets` answer: posts the project has read this billing cycle against its cap.
///
/// Parsed leniently, as the X docs disagree with each other: `project_usage` and `project_cap`
/// come as strings ("43435") or numbers, and `daily_project_usage` in two shapes, an object
/// `{"project_id", "usage": [{"date", "usage"}]}` (the API reference) or an array
/// `[{"date", "usage": [{"app_id", "tweets_consumed"}]}]` (the usage introduction). A field that
/// is missing or unreadable is nil rather than an error.
public struct UsageReport: Sendable, Equatable {
    /// Posts read by the project this billing cycle.
    public var projectUsage: Int?
    /// Posts the project may read in a billing cycle.
    public var projectCap: Int?
    /// The day of the month the cycle restarts on (UTC).
    public var capResetDay: Int?
    public var projectID: String?
    /// Posts read per day (`YYYY-MM-DD`), oldest first, summed over the project's apps.
    public var daily: [DailyUsage]

    public struct DailyUsage: Sendable, Equatable {
        public var date: String
        public var posts: Int
    }

    public init(
        projectUsage: Int? = nil, projectCap: Int? = nil, capResetDay: Int? = nil, projectID: String? = nil, daily: [DailyUsage] = []
    ) {
        self.projectUsage = projectUsage
        self.projectCap = projectCap
        self.capResetDay = capResetDay
        self.projectID = projectID
        self.daily = daily
    }

    public init(body: [UInt8]) throws(UsageParseError) {
        let document: UsageDocument
        do {
            document = try JSONDecoder().decode(UsageDocument.self, from: Data(body))
        } catch {
            throw UsageParseError(description: "the usage answer is not a JSON object with \"data\" (\(body.count) bytes)")
        }
        guard let data = document.data else {
            throw UsageParseError(description: "the usage answer has no \"data\" object (\(body.count) bytes)")
        }
        self.init(
            projectUsage: data.projectUsage?.value, projectCap: data.projectCap?.value, capResetDay: data.capResetDay?.value,
            projectID: data.projectID, daily: data.daily)
    }

    /// Usage as a share of the cap, in percent; nil without both numbers or with a zero cap.
    public var percentUsed: Double? {
        guard let projectUsage, let projectCap, projectCap > 0 else { return nil }
        return Double(projectUsage) / Double(projectCap) * 100
    }

    /// When the cap resets next: 00:00 UTC on `capResetDay` of this month, or of the next month
    /// once that is not after `now`. A day the month does not have (31 in April, 30 in
    /// February) means the month's last day: the cycle still restarts once a month.
    public func capReset(after now: Date) -> Date? {
        guard let capResetDay, capResetDay >= 1 else { return nil }
        let today = UTCTime(now)
        var year = today.year
        var month = today.month
        for _ in 0..<2 {
            let day = min(capResetDay, daysInMonth(year, month))
            if let reset = parseRFC3339("\(pad(year, 4))-\(pad(month))-\(pad(day))T00:00:00Z"), reset > now { return reset }
            month += 1
            if month > 12 {
                month = 1
                year += 1
            }
        }
        return nil
    }
}

public struct UsageParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

private struct UsageDocument: Decodable {
    var data: Payload?

    enum CodingKeys: String, CodingKey { case data }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try? container.decode(Payload.self, forKey: .data)
    }

    struct Payload: Decodable {
        var projectUsage: LenientCount?
        var projectCap: LenientCount?
        var capResetDay: LenientCount?
        var projectID: String?
        var daily: [UsageReport.DailyUsage] = []

        enum CodingKeys: String, CodingKey {
            case projectUsage = "project_usage"
            case projectCap = "project_cap"
            case capResetDay = "cap_reset_day"
            case projectID = "project_id"
            case dailyProjectUsage = "daily_project_usage"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            projectUsage = try? container.decode(LenientCount.self, forKey: .projectUsage)
            projectCap = try? container.decode(LenientCount.self, forKey: .projectCap)
            capResetDay = try? container.decode(LenientCount.self, forKey: .capResetDay)
            projectID = try? container.decode(String.self, forKey: .projectID)
            var entries: [DayEntry] = []
            if let object = try? container.decode(DailyObject.self, forKey: .dailyProjectUsage) {
                entries = object.usage
            } else if let list = try? container.decode([Tolerant<DayEntry>].self, forKey: .dailyProjectUsage) {
                entries = list.compactMap(\.value)
            }
            var posts: [String: Int] = [:]
            for entry in entries { posts[entry.date, default: 0] += entry.posts }
            daily = posts.keys.sorted().map { UsageReport.DailyUsage(date: $0, posts: posts[$0]!) }
        }
    }

    /// The reference's shape: `{"project_id": "…", "usage": [{"date": "…", "usage": "…"}]}`.
    struct DailyObject: Decodable {
        var usage: [DayEntry]

        enum CodingKeys: String, CodingKey { case usage }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            usage = ((try? container.decode([Tolerant<DayEntry>].self, forKey: .usage)) ?? []).compactMap(\.value)
        }
    }

    /// One day, in either shape: `usage` a count, or a list of per-app `tweets_consumed` (or
    /// `usage`) counts.
    struct DayEntry: Decodable {
        var date: String
        var posts: Int

        enum CodingKeys: String, CodingKey {
            case date, usage
            case tweetsConsumed = "tweets_consumed"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let date = try container.decode(String.self, forKey: .date)
            self.date = String(date.prefix(10))
            if let count = try? container.decode(LenientCount.self, forKey: .usage) {
                posts = count.value
            } else if let apps = try? container.decode([AppEntry].self, forKey: .usage) {
                posts = apps.reduce(0) { $0 + $1.posts }
            } else if let count = try? container.decode(LenientCount.self, forKey: .tweetsConsumed) {
                posts = count.value
            } else {
                throw DecodingError.dataCorruptedError(forKey: .usage, in: container, debugDescription: "no usage count")
            }
        }
    }

    struct AppEntry: Decodable {
        var posts: Int

        enum CodingKeys: String, CodingKey {
            case usage
            case tweetsConsumed = "tweets_consumed"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let count =
                (try? container.decode(LenientCount.self, forKey: .tweetsConsumed))
                ?? (try? container.decode(LenientCount.self, forKey: .usage))
            posts = count?.value ?? 0
        }
    }
}

/// An array element that may be unreadable: nil instead of failing the whole array.
private struct Tolerant<Wrapped: Decodable>: Decodable {
    var value: Wrapped?

    init(from decoder: any Decoder) throws { value = try? Wrapped(from: decoder) }
}
