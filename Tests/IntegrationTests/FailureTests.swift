import Foundation
import Testing

/// What a user sees when something is wrong: a clear message, the right exit code, no secret.
@Suite("Failures end to end", .serialized)
struct FailureTests {
    @Test func invalidVariablesExit78BeforeAnyRequest() throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("badconfig")
        let environment = TweetIngest.environment(
            api: api, outputDir: output, extra: ["BUFFER_SIZE_MB": "500", "COMPRESSION": "zip", "BUFFER_INTERVAL_SECONDS": "-1"])
        let (status, process) = try TweetIngest.run(["run"], environment: environment)
        #expect(status == 78)
        let message = process.standardError
        #expect(message.contains("BUFFER_SIZE_MB=\"500\"") && message.contains("from 1 to 128"))
        #expect(message.contains("COMPRESSION=\"zip\"") && message.contains("none, gzip"))
        #expect(message.contains("BUFFER_INTERVAL_SECONDS=\"-1\"") && message.contains("from 0 to 900"))
        #expect(try api.requests().isEmpty, "no request may be made with a bad configuration")
        #expect(!process.allOutput.contains(FakeXAPI.token))
        #expect(!FileManager.default.fileExists(atPath: output + "/_state"))
    }

    @Test func missingTokenAndQueryAreNamed() throws {
        let output = try Paths.temporaryDirectory("missing")
        var environment = TweetIngest.environment(api: nil, outputDir: output)
        environment["TWITTER_QUERY"] = nil
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment)
        #expect(status == 78)
        #expect(process.standardError.contains("TWITTER_BEARER_TOKEN is not set"))
        #expect(process.standardError.contains("TWITTER_QUERY is not set"))
    }

    @Test func rejectedTokenStopsWithAMessageAboutTheToken() throws {
        let api = try FakeXAPI(token: "the-right-token")
        let output = try Paths.temporaryDirectory("401")
        let (status, process) = try TweetIngest.run(["run"], environment: TweetIngest.environment(api: api, outputDir: output))
        #expect(status == 77)
        #expect(process.standardError.contains("401") && process.standardError.contains("TWITTER_BEARER_TOKEN"))
        #expect(!process.allOutput.contains(FakeXAPI.token))
        #expect(try api.requests().count == 1, "a rejected token is not retried")
    }

    @Test func checkConfigPrintsTheEffectiveConfigurationWithTheTokenRedacted() throws {
        let output = try Paths.temporaryDirectory("check")
        var environment = TweetIngest.environment(
            api: nil, outputDir: output, extra: ["TWITTER_BEARER_TOKEN": "sekrit-123", "TWITER_QUERY": "typo"])
        environment["TWITTER_TYPO_VAR"] = "x"
        let (status, process) = try TweetIngest.run(["check-config"], environment: environment)
        #expect(status == 0)
        #expect(process.lines.contains("TWITTER_BEARER_TOKEN=<redacted>"))
        #expect(process.lines.contains("BUFFER_SIZE_MB=5"))
        #expect(process.allOutput.contains("TWITTER_TYPO_VAR is not a tweet-ingest variable"))
        #expect(!process.allOutput.contains("sekrit-123"))
    }
}

@Suite("Two daemons on one stream", .serialized)
struct SecondDaemonTests {
    @Test func aSecondDaemonOnTheSameFolderAndStreamStopsWithExit75() throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("two-daemons")
        let environment = TweetIngest.environment(api: api, outputDir: output, extra: ["TWITTER_POLL_INTERVAL_SECONDS": "3600"])
        let first = try TweetIngest.start(["run"], environment: environment)
        #expect(first.waitForLines(timeout: 60) { $0.contains("poll cycle complete") }, "\(first.allOutput)")
        let (status, second) = try TweetIngest.run(["run", "--once"], environment: environment)
        #expect(status == 75)
        #expect(second.standardError.contains("another tweet-ingest is writing the checkpoint"), "\(second.allOutput)")
        #expect(second.standardError.contains("held by process \(first.process.processIdentifier)"))
        first.send(SIGTERM)
        #expect(first.waitForExit(timeout: 30) == 0)
        // The first daemon's delivery is intact: every served tweet once.
        let delivered = try DeliveredObjects(outputDir: output)
        let served = try api.servedIDs()
        #expect(delivered.ids.count == 400 && Set(delivered.ids) == served)
    }
}
