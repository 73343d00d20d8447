import Foundation
import Testing

/// The real binary with `SINK=firehose`: polled tweets reach the delivery stream, and through it
/// the bucket, exactly once; the checkpoint stays in the local folder.
@Suite("Firehose with the tweet-ingest binary", .serialized)
struct FirehoseCommandLineIntegrationTests {
    @Test func everyServedTweetReachesTheStreamExactlyOnceAcrossPollCycles() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-stream"])
        defer { moto.stop() }
        let api = try FakeXAPI(releases: [150, 250, 400], faults: "2:503,4:drop")
        var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("firehose-cli"))
        environment.merge(try moto.environment(stream: "tweets-stream", extra: ["SINK": "firehose"])) { $1 }
        environment["OUTPUT_DIR"] = try Paths.temporaryDirectory("firehose-cli-out")
        for cycle in 1...4 {
            let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment, timeout: 120)
            #expect(status == 0, "cycle \(cycle): \(process.allOutput)")
            #expect(process.allOutput.contains("firehose"), "the sink is Firehose")
        }
        let objects = try moto.objects()
        #expect(objects.allSatisfy { $0.endsWithNewline && $0.invalidLines == 0 }, "Firehose's objects are valid JSONL")
        let delivered = objects.flatMap(\.lines).compactMap { $0 }
        let served = try api.servedIDs()
        #expect(served.count == 400)
        #expect(Set(delivered) == served)
        #expect(delivered.count == served.count, "exactly once")
        let checkpoint = try String(contentsOfFile: environment["OUTPUT_DIR"]! + "/_state/tweets.json", encoding: .utf8)
        #expect(checkpoint.contains("since_id"))
    }

    @Test func aMissingDeliveryStreamStopsBeforePolling() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-stream"])
        defer { moto.stop() }
        let api = try FakeXAPI()
        var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("firehose-missing"))
        environment.merge(try moto.environment(stream: "no-such-stream", extra: ["SINK": "firehose"])) { $1 }
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment, timeout: 60)
        #expect(status == 69, "\(process.allOutput)")
        #expect(process.standardError.contains("no-such-stream"))
        #expect(try api.requests().isEmpty)
    }

    @Test func twoDaemonsWithDisjointQueriesShareOneStreamWithoutInterfering() async throws {
        let moto = try await FirehoseMotoServer(streams: ["shared-stream"])
        defer { moto.stop() }
        // Two query sets: each daemon its own fake API (disjoint tweets), STREAM_NAME and checkpoint.
        // The second fake's ids are moved 10^17 down (about 276 days earlier, still in the past): a
        // since_id whose time is after the settle lag's end_time is never sent.
        let apis = [try FakeXAPI(releases: [200, 400]), try FakeXAPI(releases: [100, 400], extra: ["--id-shift", "-1"])]
        var daemons: [ChildProcess] = []
        for (index, api) in apis.enumerated() {
            var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("firehose-two-\(index)"))
            environment.merge(try moto.environment(stream: "shared-stream", extra: ["SINK": "firehose"])) { $1 }
            environment["STREAM_NAME"] = "query-set-\(index)"
            environment["TWITTER_QUERY"] = index == 0 ? "obama" : "#brexit"
            environment["TWITTER_POLL_INTERVAL_SECONDS"] = "1"
            daemons.append(try TweetIngest.start(["run"], environment: environment))
        }
        for daemon in daemons {
            #expect(
                daemon.waitForLines(count: 2, timeout: 120) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") },
                "\(daemon.allOutput)")
            daemon.send(SIGTERM)
        }
        for daemon in daemons { #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput)") }
        let delivered = try moto.objects().flatMap(\.lines).compactMap { $0 }
        let served = try apis[0].servedIDs().union(try apis[1].servedIDs())
        #expect(try apis[0].servedIDs().isDisjoint(with: try apis[1].servedIDs()))
        #expect(served.count == 800)
        #expect(Set(delivered) == served)
        #expect(delivered.count == served.count, "every tweet of both daemons exactly once")
    }
}
