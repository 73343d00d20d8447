import Foundation
import Testing

@testable import TweetIngest

@Suite("tweet-ingest estimate")
struct EstimateTests {
    /// A counts answer as counts/recent gives it for day buckets: the window's first and last
    /// day in part, the days between whole. `posts[0]` and `posts.last` are the partial days.
    private func dayCounts(_ posts: [Int]) -> CountsReport {
        let midnight = utc("2026-01-01T00:00:00Z")
        var buckets: [CountsReport.Bucket] = []
        for (index, count) in posts.enumerated() {
            let dayStart = midnight.addingTimeInterval(Double(index) * 86_400)
            let start = index == 0 ? dayStart.addingTimeInterval(3 * 3600) : dayStart
            let end = index == posts.count - 1 ? dayStart.addingTimeInterval(3 * 3600) : dayStart.addingTimeInterval(86_400)
            buckets.append(.init(start: start, end: end, posts: count))
        }
        return CountsReport(buckets: buckets)
    }

    private func estimate(
        _ counts: CountsReport, expansions: String = Config.defaultExpansions, postPrice: Double = 0.005, userPrice: Double = 0.010,
        budget: Int? = nil
    ) -> Estimate {
        Estimate(
            counts: counts, query: "dogs", expansions: expansions, pricePerPostRead: postPrice, pricePerUserRead: userPrice,
            maxPostsPerDay: budget)
    }

    @Test func groupsDigitsInThrees() {
        #expect(grouped(0) == "0")
        #expect(grouped(999) == "999")
        #expect(grouped(1000) == "1,000")
        #expect(grouped(84_000) == "84,000")
        #expect(grouped(1_234_567) == "1,234,567")
        #expect(grouped(-12_345) == "-12,345")
    }

    @Test func showsDollarsWithCentsAndGroupedDigits() {
        #expect(dollars(0) == "$0.00")
        #expect(dollars(0.153) == "$0.15")
        #expect(dollars(0.155001) == "$0.16")
        #expect(dollars(49_607.04) == "$49,607.04")
        #expect(dollars(1_234_567.8) == "$1,234,567.80")
    }

    @Test func projectsTheRecordedWeekToAMonthAndItsCost() throws {
        let counts = try CountsReport(body: Fixtures.bytes(CountsTests.recorded))
        let result = estimate(counts)
        #expect(result.days.map(\.date) == (16...23).map { "2021-10-\($0)" })
        #expect(result.days.map(\.fullDay) == [false, true, true, true, true, true, true, false])
        #expect(result.days.map(\.posts) == [29193, 126_977, 114_370, 111_168, 111_317, 100_943, 98120, 79577])
        #expect(result.total == 771_665)
        #expect(result.averagePerDay == 110_483)  // 662,895 over the 6 full days
        #expect(result.busiestDay == .init(date: "2021-10-17", posts: 126_977, fullDay: true))
        #expect(result.projectedPostsPerMonth == 3_307_136)  // 771,665 / 7 * 30
        #expect(result.userReadsPerPost == 1)
        #expect(result.projectedUserReadsPerMonth == 3_307_136)
        #expect(result.projectedCostPerMonth == 49_607.04)  // 3,307,136 * (0.005 + 0.010)
    }

    @Test func costIsRoundedToCents() {
        // 7 posts a week: 30 a month; 30 * 0.0051 = 0.153.
        let result = estimate(dayCounts([1, 1, 1, 1, 1, 1, 1, 0]), expansions: "referenced_tweets.id", postPrice: 0.0051)
        #expect(result.projectedPostsPerMonth == 30)
        #expect(result.projectedUserReadsPerMonth == 0)
        #expect(result.projectedCostPerMonth == 0.15)
        #expect(result.text.contains("Projected cost a month: $0.15"))
    }

    @Test func withoutAuthorIDNoUserReadsAreProjected() {
        let result = estimate(dayCounts([10, 20, 20, 20, 20, 20, 20, 10]), expansions: "attachments.media_keys,geo.place_id")
        #expect(result.userReadsPerPost == 0)
        #expect(result.text.contains("no user reads (TWITTER_EXPANSIONS has no author_id)"))
    }

    @Test func theTextShowsTheDaysTheTotalTheProjectionAndTheCost() throws {
        let result = estimate(try CountsReport(body: Fixtures.bytes(CountsTests.recorded)))
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "  date          posts")
        #expect(lines[2] == "  2021-10-16   29,193  (part of the day)")
        #expect(lines[3] == "  2021-10-17  126,977")
        #expect(lines.contains("7-day total: 771,665 posts"))
        #expect(lines.contains("Average day: 110,483 posts; busiest day: 2021-10-17 with 126,977"))
        #expect(
            lines.contains(
                "Projected a month (7-day total / 7 x 30): 3,307,136 post reads, 3,307,136 user reads (one author per post, an upper bound)"
            ))
        #expect(lines.contains("Projected cost a month: $49,607.04 (post reads at $0.005, user reads at $0.01)"))
        #expect(lines.last?.hasPrefix("Budget: TWITTER_MAX_POSTS_PER_DAY is not set") == true)
    }

    @Test func aBudgetAboveTheBusiestDayKeepsUp() {
        let result = estimate(dayCounts([100, 1000, 1200, 900, 1000, 1000, 1000, 300]), budget: 1200)
        #expect(result.budgetKeepsUp == true)
        #expect(result.unreadOnBusiestDay == 0)
        #expect(result.unreadPerDay == 0)
        #expect(result.text.hasSuffix("Budget: TWITTER_MAX_POSTS_PER_DAY=1,200 keeps up: the busiest day had 1,200 posts."))
    }

    @Test func aBudgetBelowTheBusiestDayButAboveTheAverageCatchesUp() {
        let result = estimate(dayCounts([100, 1000, 1500, 900, 1000, 1000, 1000, 300]), budget: 1100)
        #expect(result.averagePerDay == 1067)
        #expect(result.budgetKeepsUp == false)
        #expect(result.unreadOnBusiestDay == 400)
        #expect(result.unreadPerDay == 0)
        #expect(result.text.contains("does not keep up on the busiest day (1,500 posts): 400 wait for the following days"))
    }

    @Test func aBudgetBelowTheAverageSaysHowManyFallOutOfTheWindow() {
        let result = estimate(dayCounts([5000, 20000, 26000, 24000, 25000, 25000, 30000, 9000]), budget: 10000)
        #expect(result.averagePerDay == 25000)
        #expect(result.budgetKeepsUp == false)
        #expect(result.unreadOnBusiestDay == 20000)
        #expect(result.unreadPerDay == 15000)
        #expect(
            result.text.hasSuffix(
                "TWITTER_MAX_POSTS_PER_DAY=10,000 does not keep up: the busiest day had 30,000 posts (20,000 over); about 15,000 posts a day fall out of the 7-day window unread."
            ))
    }

    @Test func theBusiestDayIsAFullDay() {
        // The partial last day is larger than any full day here; it is not what the budget faces.
        let result = estimate(dayCounts([10, 100, 100, 100, 100, 100, 100, 500]))
        #expect(result.busiestDay?.posts == 100)
    }

    @Test func withoutFullDaysTheAverageSpreadsTheTotalOverTheSpan() {
        let start = utc("2026-01-01T00:00:00Z")
        let counts = CountsReport(buckets: [.init(start: start, end: start.addingTimeInterval(43_200), posts: 500)])
        #expect(Estimate.averagePerDay(counts) == 1000)
        #expect(Estimate.averagePerDay(CountsReport(buckets: [])) == 0)
    }

    @Test func jsonHasTheDocumentedKeysAndValues() throws {
        let result = estimate(dayCounts([5000, 20000, 26000, 24000, 25000, 25000, 30000, 6000]), budget: 10000)
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "query", "days", "total_posts_7_days", "average_posts_per_day", "busiest_day", "projected_posts_per_month",
                "user_reads_per_post", "projected_user_reads_per_month", "price_per_post_read", "price_per_user_read",
                "projected_cost_per_month", "max_posts_per_day", "budget_keeps_up", "unread_on_busiest_day", "unread_per_day",
            ])
        #expect(object["query"] as? String == "dogs")
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.count == 8)
        #expect(days[0]["date"] as? String == "2026-01-01")
        #expect(days[0]["posts"] as? Int == 5000)
        #expect(days[0]["full_day"] as? Bool == false)
        #expect(days[1]["full_day"] as? Bool == true)
        #expect(object["total_posts_7_days"] as? Int == 161_000)
        #expect(object["average_posts_per_day"] as? Int == 25000)
        #expect((object["busiest_day"] as? [String: Any])?["date"] as? String == "2026-01-07")
        #expect(object["projected_posts_per_month"] as? Int == 690_000)  // 161,000 / 7 * 30
        #expect(object["user_reads_per_post"] as? Int == 1)
        #expect(object["price_per_post_read"] as? Double == 0.005)
        #expect(object["price_per_user_read"] as? Double == 0.01)
        #expect(object["projected_cost_per_month"] as? Double == 10350)  // 690,000 * (0.005 + 0.010)
        #expect(result.json.contains(#""projected_cost_per_month":10350.00,"#))
        #expect(object["max_posts_per_day"] as? Int == 10000)
        #expect(object["budget_keeps_up"] as? Bool == false)
        #expect(object["unread_on_busiest_day"] as? Int == 20000)
        #expect(object["unread_per_day"] as? Int == 15000)
    }

    @Test func jsonWithoutABudgetHasNulls() throws {
        let result = estimate(dayCounts([1, 2, 3]))
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
        #expect(object["max_posts_per_day"] is NSNull)
        #expect(object["budget_keeps_up"] is NSNull)
        #expect(object["unread_per_day"] is NSNull)
    }

    @Test func jsonEscapesTheQuery() throws {
        let result = Estimate(
            counts: CountsReport(buckets: []), query: "\"quoted\" \\ line\nbreak", expansions: "", pricePerPostRead: 0.005,
            pricePerUserRead: 0.01, maxPostsPerDay: nil)
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
        #expect(object["query"] as? String == "\"quoted\" \\ line\nbreak")
        #expect(object["busiest_day"] is NSNull)
    }
}

private func utc(_ text: String) -> Date {
    guard let date = parseRFC3339(text) else { fatalError("not RFC 3339: \(text)") }
    return date
}
