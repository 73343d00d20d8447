import FoundationEssentials

/// `tweet-ingest estimate`'s two outputs: lines for a person, one JSON object for a script.
extension Estimate {
    public var text: String {
        var lines = ["Posts matching TWITTER_QUERY per UTC day (from GET /2/tweets/counts/recent, which reads no posts):"]
        let width = max(5, days.map { grouped($0.posts).count }.max() ?? 0)
        lines.append("  date        " + "posts".rightAligned(to: width))
        for day in days {
            lines.append("  \(day.date)  \(grouped(day.posts).rightAligned(to: width))\(day.fullDay ? "" : "  (part of the day)")")
        }
        lines.append("7-day total: \(grouped(total)) posts")
        if let busiestDay {
            lines.append("Average day: \(grouped(averagePerDay)) posts; busiest day: \(busiestDay.date) with \(grouped(busiestDay.posts))")
        }
        let users =
            userReadsPerPost > 0
            ? "\(grouped(projectedUserReadsPerMonth)) user reads (one author per post, an upper bound)"
            : "no user reads (TWITTER_EXPANSIONS has no author_id)"
        lines.append("Projected a month (7-day total / 7 x 30): \(grouped(projectedPostsPerMonth)) post reads, \(users)")
        lines.append(
            "Projected cost a month: \(dollars(projectedCostPerMonth)) (post reads at $\(EnvironmentReader.plain(pricePerPostRead)), user reads at $\(EnvironmentReader.plain(pricePerUserRead)))"
        )
        lines.append("Budget: " + budgetSentence)
        return lines.joined(separator: "\n")
    }

    var budgetSentence: String {
        guard let maxPostsPerDay, let unreadPerDay, let unreadOnBusiestDay else {
            return "TWITTER_MAX_POSTS_PER_DAY is not set: nothing limits what a day reads. Set it to cap the daily cost."
        }
        let budget = "TWITTER_MAX_POSTS_PER_DAY=\(grouped(maxPostsPerDay))"
        let busiest = grouped(busiestDay?.posts ?? 0)
        if budgetKeepsUp == true {
            return "\(budget) keeps up: the busiest day had \(busiest) posts."
        }
        if unreadPerDay == 0 {
            return
                "\(budget) does not keep up on the busiest day (\(busiest) posts): \(grouped(unreadOnBusiestDay)) wait for the following days (they stay in the 7-day window; an average day of \(grouped(averagePerDay)) fits, so reading catches up)."
        }
        return
            "\(budget) does not keep up: the busiest day had \(busiest) posts (\(grouped(unreadOnBusiestDay)) over); about \(grouped(unreadPerDay)) posts a day fall out of the 7-day window unread."
    }

    /// One JSON object, keys in this order (README, "Estimate what a query costs").
    public var json: String {
        var out: [UInt8] = []
        var first = true
        func key(_ name: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriting.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func raw(_ text: String) { out += Array(text.utf8) }
        func number(_ value: Int?) { raw(value.map(String.init) ?? "null") }
        out.append(UInt8(ascii: "{"))
        key("query")
        JSONWriting.appendString(query, to: &out)
        key("days")
        raw("[")
        for (index, day) in days.enumerated() {
            if index > 0 { raw(",") }
            raw("{\"date\":\"\(day.date)\",\"posts\":\(day.posts),\"full_day\":\(day.fullDay)}")
        }
        raw("]")
        key("total_posts_7_days")
        number(total)
        key("average_posts_per_day")
        number(averagePerDay)
        key("busiest_day")
        raw(busiestDay.map { "{\"date\":\"\($0.date)\",\"posts\":\($0.posts)}" } ?? "null")
        key("projected_posts_per_month")
        number(projectedPostsPerMonth)
        key("user_reads_per_post")
        number(userReadsPerPost)
        key("projected_user_reads_per_month")
        number(projectedUserReadsPerMonth)
        key("price_per_post_read")
        raw(EnvironmentReader.plain(pricePerPostRead))
        key("price_per_user_read")
        raw(EnvironmentReader.plain(pricePerUserRead))
        key("projected_cost_per_month")
        raw(fixed(projectedCostPerMonth, digits: 2))
        key("max_posts_per_day")
        number(maxPostsPerDay)
        key("budget_keeps_up")
        raw(budgetKeepsUp.map { "\($0)" } ?? "null")
        key("unread_on_busiest_day")
        number(unreadOnBusiestDay)
        key("unread_per_day")
        number(unreadPerDay)
        raw("}")
        return String(decoding: out, as: UTF8.self)
    }
}

/// `84000` as `84,000`.
public func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return (value < 0 ? "-" : "") + out
}

/// `1234.5` as `$1,234.50`.
func dollars(_ value: Double) -> String {
    let text = fixed(value, digits: 2)
    let negative = text.hasPrefix("-")
    let unsigned = negative ? String(text.dropFirst()) : text
    let parts = unsigned.split(separator: ".", maxSplits: 1)
    let whole = grouped(Int(parts[0]) ?? 0)
    return (negative ? "-" : "") + "$" + whole + (parts.count > 1 ? "." + parts[1] : "")
}

extension String {
    fileprivate func rightAligned(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
