import Foundation
import Testing

@testable import TweetIngest

@Suite("Usage report (GET /2/usage/tweets)")
struct UsageReportTests {
    private func parse(_ json: String) throws -> UsageReport { try UsageReport(body: Array(json.utf8)) }

    // MARK: Parsing

    @Test func readsTheDocumentedExampleWithNumbersAsStrings() throws {
        // docs.x.com/x-api/x-api-v2/usage/tweets, the example answer.
        let report = try parse(
            #"{"data":{"cap_reset_day":10,"project_cap":"5000000000","project_id":"1369785403853424","project_usage":"43435"}}"#)
        #expect(report.projectUsage == 43435)
        #expect(report.projectCap == 5_000_000_000)
        #expect(report.capResetDay == 10)
        #expect(report.projectID == "1369785403853424")
        #expect(report.daily.isEmpty)
        #expect(abs(try #require(report.percentUsed) - 0.00086870) < 1e-6)
    }

    @Test func readsDailyUsageAsTheAPIReferenceShowsIt() throws {
        // The OpenAPI shape: an object with the project id and a list of {date, usage}.
        let report = try parse(
            #"""
            {"data":{"project_usage":150,"project_cap":15000,"cap_reset_day":"3",
              "daily_project_usage":{"project_id":"1","usage":[
                {"date":"2026-01-02T00:00:00.000Z","usage":30},{"date":"2026-01-01T00:00:00.000Z","usage":"120"}]},
              "daily_client_app_usage":[{"client_app_id":"9","usage":[{"date":"2026-01-01T00:00:00.000Z","usage":"120"}],"usage_result_count":1}]}}
            """#)
        #expect(report.capResetDay == 3)
        #expect(report.daily == [.init(date: "2026-01-01", posts: 120), .init(date: "2026-01-02", posts: 30)])
        #expect(report.percentUsed == 1)
    }

    @Test func readsDailyUsageAsTheUsageIntroductionShowsIt() throws {
        // docs.x.com/x-api/usage/introduction: a list of days, each with per-app counts.
        let report = try parse(
            #"""
            {"data":{"daily_project_usage":[
              {"date":"2024-01-15","usage":[{"app_id":"12345678","tweets_consumed":15420},{"app_id":"2","tweets_consumed":"80"}]},
              {"date":"2024-01-16","usage":[{"app_id":"12345678","tweets_consumed":7}]}],
             "project_id":"1234567890","project_cap":10000000}}
            """#)
        #expect(report.projectCap == 10_000_000)
        #expect(report.projectUsage == nil)
        #expect(report.percentUsed == nil)
        #expect(report.daily == [.init(date: "2024-01-15", posts: 15500), .init(date: "2024-01-16", posts: 7)])
    }

    @Test func missingOrUnreadableFieldsAreNil() throws {
        let report = try parse(#"{"data":{"project_usage":"lots","project_cap":null,"daily_project_usage":[{"date":"2026-01-01"}]}}"#)
        #expect(report == UsageReport())
        #expect(try parse(#"{"data":{}}"#) == UsageReport())
    }

    @Test func aZeroCapHasNoPercentage() throws {
        #expect(try parse(#"{"data":{"project_usage":"5","project_cap":"0"}}"#).percentUsed == nil)
    }

    @Test func refusesAnAnswerWithoutData() {
        #expect(throws: UsageParseError.self) { try parse(#"{"errors":[{"message":"nope"}]}"#) }
        #expect(throws: UsageParseError.self) { try parse("Service Unavailable") }
    }

    // MARK: Cap reset

    @Test func theCapResetsAtMidnightUTCOnTheResetDay() {
        let report = UsageReport(capResetDay: 10)
        #expect(report.capReset(after: utc("2026-01-02T03:04:05Z")) == utc("2026-01-10T00:00:00Z"))
        #expect(report.capReset(after: utc("2026-01-09T23:59:59Z")) == utc("2026-01-10T00:00:00Z"))
    }

    @Test func onOrAfterTheResetDayTheNextResetIsNextMonth() {
        let report = UsageReport(capResetDay: 10)
        #expect(report.capReset(after: utc("2026-01-10T00:00:00Z")) == utc("2026-02-10T00:00:00Z"))
        #expect(report.capReset(after: utc("2026-01-20T12:00:00Z")) == utc("2026-02-10T00:00:00Z"))
        #expect(report.capReset(after: utc("2026-12-20T12:00:00Z")) == utc("2027-01-10T00:00:00Z"))
    }

    @Test func aResetDayTheMonthLacksIsItsLastDay() {
        let report = UsageReport(capResetDay: 31)
        #expect(report.capReset(after: utc("2026-04-15T00:00:00Z")) == utc("2026-04-30T00:00:00Z"))
        #expect(report.capReset(after: utc("2026-04-30T00:00:00Z")) == utc("2026-05-31T00:00:00Z"))
        #expect(report.capReset(after: utc("2026-01-31T08:00:00Z")) == utc("2026-02-28T00:00:00Z"))
        #expect(report.capReset(after: utc("2028-01-31T08:00:00Z")) == utc("2028-02-29T00:00:00Z"))
        #expect(UsageReport(capResetDay: 30).capReset(after: utc("2026-02-28T00:00:01Z")) == utc("2026-03-30T00:00:00Z"))
    }

    @Test func noResetDayNoResetTime() {
        #expect(UsageReport().capReset(after: utc("2026-01-02T00:00:00Z")) == nil)
        #expect(UsageReport(capResetDay: 0).capReset(after: utc("2026-01-02T00:00:00Z")) == nil)
    }
}

private func utc(_ text: String) -> Date {
    guard let date = parseRFC3339(text) else { fatalError("not RFC 3339: \(text)") }
    return date
}
