import Foundation
import Testing

/// The real binary against the fake X API behaving as the real one does in 2026: posts indexed
/// late and out of order, long posts, a daily budget kept across restarts, a usage cap.
@Suite("Reading the X API as it is in 2026", .serialized)
struct SourceBehaviourTests {
    /// What one live run delivered, beside the pool the fake made searchable.
    struct LiveRun {
        var pool: Set<String>
        var delivered: [String]
        var missed: Set<String> { pool.subtracting(delivered) }
        var duplicates: Int { delivered.count - Set(delivered).count }
    }

    /// Posts created over 50 s (the first 30 s before the fake started), each searchable up to
    /// 20 s after it was created; the daemon polls every second until every post has been
    /// searchable for a while and a cycle has asked for posts newer than the last one, then
    /// stops with SIGTERM (which flushes).
    private func liveRun(settleSeconds: Int?, name: String) throws -> LiveRun {
        let api = try FakeXAPI(live: FakeXAPI.Live(span: 50, offset: -30, indexLatency: 20))
        let posts = try api.posts()
        let created = posts.compactMap { $0.created_at.flatMap(Self.parseTime) }
        let lastCreated = try #require(created.max())
        let lastSearchable = Date(timeIntervalSince1970: try #require(posts.compactMap(\.searchable_at).max()))
        #expect(created.count == posts.count && posts.count >= 100)

        let output = try Paths.temporaryDirectory(name)
        var extra = ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "900", "BUFFER_SIZE_MB": "128"]
        if let settleSeconds { extra["TWITTER_SETTLE_SECONDS"] = String(settleSeconds) }
        let daemon = try TweetIngest.start(["run"], environment: TweetIngest.environment(api: api, outputDir: output, extra: extra))
        let cycleComplete: (String) -> Bool = { $0.contains("poll cycle complete") }
        var completed = 0
        var doneAfter: Int?
        // Each step waits for the daemon's next completed cycle (about a second); bounded.
        while completed < 150 {
            completed += 1
            guard daemon.waitForLines(count: completed, timeout: 30, where: cycleComplete) else {
                Issue.record("the daemon stopped completing cycles: \(daemon.allOutput.suffix(3000))")
                break
            }
            if doneAfter == nil, Date() > lastSearchable.addingTimeInterval(1),
                try api.requests().contains(where: { request in
                    request.status == 200 && (request.query["end_time"].flatMap(Self.parseTime) ?? .distantPast) > lastCreated
                })
            {
                doneAfter = completed
            }
            if let doneAfter, completed >= doneAfter + 2 { break }
        }
        #expect(doneAfter != nil, "no cycle reached past the newest post")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput.suffix(3000))")
        let requests = try api.requests()
        #expect(
            requests.allSatisfy { $0.status != 400 }, "the fake refused a request: \(requests.filter { $0.status == 400 }.map(\.query))")
        return LiveRun(pool: Set(posts.map(\.id)), delivered: try DeliveredObjects(outputDir: output).ids)
    }

    @Test func postsIndexedLateAreAllReadExactlyOnceWithTheDefaultSettleLag() throws {
        let run = try liveRun(settleSeconds: nil, name: "settle-default")
        #expect(run.missed.isEmpty, "\(run.missed.count) of \(run.pool.count) posts were never read")
        #expect(run.duplicates == 0)
        #expect(Set(run.delivered) == run.pool)
    }

    @Test func aSettleLagShorterThanTheIndexingLatencyMissesPosts() throws {
        // Proves the check above can fail: with 10 s, posts indexed 10-20 s late fall below a since_id.
        let run = try liveRun(settleSeconds: 10, name: "settle-short")
        #expect(!run.missed.isEmpty, "expected posts indexed late to be missed with TWITTER_SETTLE_SECONDS=10")
        #expect(run.duplicates == 0)
    }

    @Test func everyLongPostIsStoredWithItsWholeText() throws {
        let api = try FakeXAPI(longPosts: 25)
        let output = try Paths.temporaryDirectory("long-posts")
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: TweetIngest.environment(api: api, outputDir: output))
        #expect(status == 0, "\(process.allOutput)")
        let long = try api.posts().filter(\.long)
        #expect(long.count == 25)
        let records = try DeliveredObjects(outputDir: output).records
        let byID = Dictionary(records.map { ($0["id"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for post in long {
            let record = try #require(byID[post.id], "long post \(post.id) was not delivered")
            let note = try #require(record["note_tweet"] as? [String: Any], "post \(post.id) has no note_tweet")
            let full = try #require(post.full_text)
            #expect(full.count > 280)
            #expect(note["text"] as? String == full)
            #expect((record["text"] as? String).map { full.hasPrefix($0) } == true)
        }
    }

    @Test func dailyBudgetHoldsAcrossARestart() throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("budget")
        let environment = TweetIngest.environment(api: api, outputDir: output, extra: ["TWITTER_MAX_POSTS_PER_DAY": "150"])
        let (first, firstRun) = try TweetIngest.run(["run", "--once"], environment: environment)
        #expect(first == 0, "\(firstRun.allOutput)")
        let afterFirst = try api.postsServed()
        #expect(afterFirst >= 150 && afterFirst <= 159, "read \(afterFirst) with a budget of 150")
        #expect(try api.requests().map { $0.query["max_results"] } == ["100", "50"])
        #expect(firstRun.lines.contains { $0.contains("TWITTER_MAX_POSTS_PER_DAY reached") && $0.contains("150 posts read today") })

        let (second, secondRun) = try TweetIngest.run(["run", "--once"], environment: environment)
        #expect(second == 0, "\(secondRun.allOutput)")
        #expect(try api.postsServed() == afterFirst, "the restart read more the same day")
        #expect(try api.requests().count == 2, "no search request once the day's budget is spent")
        #expect(secondRun.lines.contains { $0.contains("TWITTER_MAX_POSTS_PER_DAY reached") })
        let checkpoint = try String(contentsOfFile: output + "/_state/tweets.json", encoding: .utf8)
        #expect(checkpoint.contains("\"reads\""), "\(checkpoint)")
        #expect(try DeliveredObjects(outputDir: output).ids.count == afterFirst)
    }

    @Test func aUsageCapStopsSearchingUntilItLiftsAndTheDaemonStaysHealthy() throws {
        let api = try FakeXAPI(capAfter: 100)
        let output = try Paths.temporaryDirectory("cap")
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "0", "STATE_DIR": output + "-state"])
        let daemon = try TweetIngest.start(["run"], environment: environment)
        let capped = daemon.waitForLines(timeout: 60) { $0.contains("usage cap") && $0.contains("polling pauses until") }
        #expect(capped, "\(daemon.allOutput.suffix(3000))")
        // Observe the paused daemon for a bounded time in which, unpaused, it would poll ~10 times.
        let spun = daemon.waitForLines(count: 1, timeout: 10) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }
        #expect(!spun, "the daemon kept polling during the pause")
        let (health, check) = try TweetIngest.run(["healthcheck"], environment: environment, timeout: 30)
        #expect(health == 0, "\(check.allOutput)")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput.suffix(3000))")

        let requests = try api.requests()
        let firstCap = try #require(requests.firstIndex { $0.fault == "cap-after" })
        #expect(requests.count - firstCap == 1, "search requests after the cap: \(requests.count - firstCap)")
        #expect(daemon.lines.filter { $0.contains("usage cap (scope Account) is reached") }.count == 1, "one line per pause")
        #expect(try DeliveredObjects(outputDir: output).ids.count == 100)
    }

    @Test func postsReadAndUsersReadCountWhatThePagesHeld() throws {
        func totals(expansions: String?) throws -> (posts: Double, users: Double, served: Int) {
            let api = try FakeXAPI()
            let output = try Paths.temporaryDirectory("reads")
            var extra = ["LOG_FORMAT": "json", "METRICS_EMF": "on"]
            if let expansions { extra["TWITTER_EXPANSIONS"] = expansions }
            let (status, process) = try TweetIngest.run(
                ["run", "--once"], environment: TweetIngest.environment(api: api, outputDir: output, extra: extra))
            #expect(status == 0, "\(process.allOutput.suffix(3000))")
            var posts = 0.0
            var users = 0.0
            for line in process.lines where line.hasPrefix("{\"_aws\"") {
                let document = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                posts += document["PostsRead"] as? Double ?? 0
                users += document["UsersRead"] as? Double ?? 0
            }
            return (posts, users, try api.postsServed())
        }
        let authorsOnly = try totals(expansions: "author_id")
        #expect(authorsOnly.served == 400)
        #expect(authorsOnly.posts == 400, "only data[] entries are post reads without referenced_tweets.id")
        #expect(authorsOnly.users > 0 && authorsOnly.users <= 400)
        let everything = try totals(expansions: nil)
        #expect(everything.posts > 400, "referenced posts in includes.tweets are post reads too")
        #expect(everything.users > authorsOnly.users, "referenced posts' authors are user reads too")
    }

    private static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
