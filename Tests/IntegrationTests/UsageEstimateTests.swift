import Foundation
import Testing
import TweetIngest

/// `tweet-ingest estimate` and the daemon's usage monitor, with the real binary against the fake
/// X API's counts/recent and usage/tweets endpoints.
@Suite("Estimate and usage end to end", .serialized)
struct UsageEstimateTests {
    static let week = [100, 2000, 3000, 2500, 1000, 4000, 3500, 700]

    @Test func estimatePrintsTheDaysTheTotalAndTheCostAndReadsNoPosts() throws {
        let api = try FakeXAPI(countsPerDay: Self.week)
        let output = try Paths.temporaryDirectory("estimate")
        let (status, process) = try TweetIngest.run(["estimate"], environment: TweetIngest.environment(api: api, outputDir: output))
        #expect(status == 0, "\(process.allOutput)")
        let lines = process.lines
        #expect(lines.contains("  date        posts"), "\(process.allOutput)")
        #expect(lines.filter { $0.range(of: #"^  \d{4}-\d{2}-\d{2}  "#, options: .regularExpression) != nil }.count == 8)
        #expect(lines.contains { $0.hasSuffix("  4,000") })
        #expect(lines.contains("7-day total: 16,800 posts"))
        #expect(lines.contains { $0.hasPrefix("Projected a month (7-day total / 7 x 30): 72,000 post reads, 72,000 user reads") })
        #expect(lines.contains { $0.hasPrefix("Projected cost a month: $1,080.00") })
        #expect(lines.last?.hasPrefix("Budget: TWITTER_MAX_POSTS_PER_DAY is not set") == true)

        let requests = try api.allRequests()
        #expect(requests.map(\.path) == ["/2/tweets/counts/recent"])
        #expect(requests.first?.query["granularity"] == "day")
        #expect(requests.first?.query["query"] == "obama OR #brexit")
        #expect(try api.requests().isEmpty, "estimate must not search")
        #expect(try api.postsServed() == 0)
        #expect(!process.allOutput.contains(FakeXAPI.token))
    }

    @Test func estimateJSONIsOneObjectWithTheBudgetVerdict() throws {
        let api = try FakeXAPI(countsPerDay: Self.week)
        let output = try Paths.temporaryDirectory("estimate-json")
        let environment = TweetIngest.environment(api: api, outputDir: output, extra: ["TWITTER_MAX_POSTS_PER_DAY": "3000"])
        let (status, process) = try TweetIngest.run(["estimate", "--json"], environment: environment)
        #expect(status == 0, "\(process.allOutput)")
        #expect(process.lines.count == 1, "\(process.allOutput)")
        let object = try #require(
            process.lines.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect((object["days"] as? [[String: Any]])?.compactMap { $0["posts"] as? Int } == Self.week)
        #expect(object["total_posts_7_days"] as? Int == 16_800)
        #expect(object["projected_posts_per_month"] as? Int == 72_000)
        #expect(object["projected_cost_per_month"] as? Double == 1080)
        #expect(object["max_posts_per_day"] as? Int == 3000)
        #expect(object["budget_keeps_up"] as? Bool == false)
        #expect(object["unread_on_busiest_day"] as? Int == 1000)
        #expect(object["unread_per_day"] as? Int == 0)
        #expect(try api.requests().isEmpty)
    }

    @Test func estimateWithABadTokenFailsExactlyAsRunDoes() throws {
        let api = try FakeXAPI(token: "the-right-token", countsPerDay: Self.week)
        let output = try Paths.temporaryDirectory("estimate-401")
        let environment = TweetIngest.environment(api: api, outputDir: output)
        let (estimateStatus, estimate) = try TweetIngest.run(["estimate"], environment: environment)
        let (runStatus, run) = try TweetIngest.run(["run", "--once"], environment: environment)
        #expect(estimateStatus == 77)
        #expect(runStatus == 77)
        let estimateError = estimate.standardError.split(separator: "\n").last { $0.hasPrefix("error: ") }
        let runError = run.standardError.split(separator: "\n").last { $0.hasPrefix("error: ") }
        #expect(estimateError != nil && estimateError == runError, "\(estimate.allOutput)\n---\n\(run.allOutput)")
        #expect(estimateError?.contains("TWITTER_BEARER_TOKEN") == true)
        #expect(estimate.lines.isEmpty)
        #expect(!estimate.allOutput.contains(FakeXAPI.token))
    }

    @Test func estimateWithoutAQueryExits78() throws {
        let output = try Paths.temporaryDirectory("estimate-78")
        var environment = TweetIngest.environment(api: nil, outputDir: output, extra: ["TWITTER_BEARER_TOKEN": "x"])
        environment["TWITTER_QUERY"] = nil
        let (status, process) = try TweetIngest.run(["estimate"], environment: environment)
        #expect(status == 78)
        #expect(process.standardError.contains("TWITTER_QUERY is not set"), "\(process.allOutput)")
    }

    @Test func aProjectWithoutTheUsageEndpointKeepsIngestingAfterOneNotice() throws {
        let api = try FakeXAPI(usage: .init(status: 403))
        let output = try Paths.temporaryDirectory("usage-403")
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "0", "STATE_DIR": output + "-state"])
        let daemon = try TweetIngest.start(["run"], environment: environment)
        let polled = daemon.waitForLines(count: 3, timeout: 60) { $0.contains("poll cycle complete") }
        #expect(polled, "\(daemon.allOutput)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput)")

        let notices = daemon.lines.filter { $0.contains("usage monitoring is off") }
        #expect(notices.count == 1, "\(daemon.allOutput)")
        #expect(notices.first?.contains("NOTICE") == true)
        #expect(notices.first?.contains("usage.status=403") == true)
        #expect(try api.allRequests().filter { $0.path == "/2/usage/tweets" }.count == 1)
        #expect(try DeliveredObjects(outputDir: output).ids.count == 400, "every post is still delivered")
    }

    @Test func usageAt96PercentLogsThe95PercentWarningAndTheGauges() async throws {
        let api = try FakeXAPI(usage: .init(cap: 2_000_000, used: 1_920_000, resetDay: 31))
        let output = try Paths.temporaryDirectory("usage-96")
        let port = try freeLoopbackPort()
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: [
                "TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "0", "STATE_DIR": output + "-state",
                "METRICS_PORT": String(port),
            ])
        let daemon = try TweetIngest.start(["run"], environment: environment)
        let warned = daemon.waitForLines(timeout: 60) { $0.contains("X API usage passed 95% of the project's cap") }
        #expect(warned, "\(daemon.allOutput)")
        #expect(daemon.waitForLines(timeout: 60) { $0.contains("poll cycle complete") }, "\(daemon.allOutput)")

        let response = try await CurlHTTPClient().execute(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeoutSeconds: 10))
        let exposition = String(decoding: response.body, as: UTF8.self)
        #expect(exposition.contains("# TYPE tweet_ingest_project_usage gauge"), "\(exposition)")
        #expect(exposition.contains("tweet_ingest_project_usage{stream=\"tweets\"} 1920000"), "\(exposition)")
        #expect(exposition.contains("tweet_ingest_project_cap{stream=\"tweets\"} 2000000"), "\(exposition)")

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput)")
        let info = try #require(daemon.lines.first { $0.contains("X API usage this billing cycle") })
        #expect(info.contains("INFO") && info.contains("usage.percent=96.0") && info.contains("usage.posts_read=1920000"))
        #expect(info.contains("usage.cap=2000000") && info.contains("usage.cap_reset_day=31"))
        let warnings = daemon.lines.filter { $0.contains("X API usage passed") }
        #expect(warnings.count == 1 && warnings[0].contains("WARNING"), "\(daemon.allOutput)")
        #expect(!daemon.allOutput.contains(FakeXAPI.token))
    }
}
