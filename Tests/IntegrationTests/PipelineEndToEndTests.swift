import Foundation
import Testing

/// The real binary against the fake X API on 127.0.0.1, writing to a temporary OUTPUT_DIR.
@Suite("Core pipeline end to end", .serialized)
struct PipelineEndToEndTests {
    @Test func everyServedTweetLandsExactlyOnceAcrossPollCyclesWithFaults() throws {
        // New tweets appear between polls (150, then 100 more, then 150 more); a 503, a dropped
        // connection and a 429 whose window resets in two seconds are thrown in.
        let api = try FakeXAPI(releases: [150, 250, 400], faults: "2:503,4:drop,6:429")
        let output = try Paths.temporaryDirectory("cycles")
        let environment = TweetIngest.environment(api: api, outputDir: output)
        for cycle in 1...4 {
            let (status, process) = try TweetIngest.run(["run", "--once"], environment: environment)
            #expect(status == 0, "cycle \(cycle) failed: \(process.allOutput)")
        }
        let served = try api.servedIDs()
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(served.count == 400)
        #expect(delivered.ids.count == served.count, "duplicates or losses")
        #expect(Set(delivered.ids) == served)
        #expect(delivered.errorFiles.isEmpty)

        let requests = try api.requests()
        #expect(requests.contains { $0.fault == "429" } && requests.contains { $0.fault == "drop" })
        // Every page of a cycle carries the since_id of the cycle's first page.
        var cycleSinceID: String?
        for request in requests where request.status == 200 {
            if request.query["next_token"] == nil {
                cycleSinceID = request.query["since_id"]
            } else {
                #expect(request.query["since_id"] == cycleSinceID, "page \(request.n) changed since_id mid-cycle")
            }
        }
        let checkpoint = try String(contentsOfFile: output + "/_state/tweets.json", encoding: .utf8)
        let newest = served.max { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }!
        #expect(checkpoint.contains("\"since_id\" : \"\(newest)\""))
    }

    @Test func recordsCarryTheTweetAsReceivedItsAuthorAndIngestMetadata() throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("records")
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: TweetIngest.environment(api: api, outputDir: output))
        #expect(status == 0, "\(process.allOutput)")
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(delivered.records.count == 400)
        #expect(
            delivered.dataFiles.allSatisfy {
                $0.range(
                    of: #"^\d{4}/\d{2}/\d{2}/\d{2}/tweets-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$"#,
                    options: .regularExpression) != nil
            })
        for record in delivered.records {
            let author = try #require(record["author"] as? [String: Any])
            #expect(author["id"] as? String == record["author_id"] as? String)
            let ingest = try #require(record["ingest"] as? [String: Any])
            #expect(ingest["source"] as? String == "recent-search")
            #expect(ingest["query"] as? String == "obama OR #brexit")
            #expect((ingest["fetched_at"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test func sigtermFlushesTheBufferBeforeExiting() throws {
        let api = try FakeXAPI(releases: [100, 250, 400])
        let output = try Paths.temporaryDirectory("sigterm")
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "900", "BUFFER_SIZE_MB": "128"])
        let daemon = try TweetIngest.start(["run"], environment: environment)
        // Wait (bounded) until the daemon reports the cycle that found nothing new.
        let idle = daemon.waitForLines(count: 1, timeout: 60) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }
        #expect(idle, "\(daemon.allOutput)")
        #expect(try DeliveredObjects(outputDir: output).records.isEmpty, "nothing is delivered before the buffer is due")
        daemon.send(SIGTERM)
        let status = daemon.waitForExit(timeout: 30)
        #expect(status == 0, "\(daemon.allOutput)")
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(delivered.dataFiles.count == 1)
        #expect(Set(delivered.ids) == (try api.servedIDs()))
        #expect(delivered.ids.count == 400)
    }

    @Test func truncatedPagesAndPartialErrorsLoseNothing() throws {
        let api = try FakeXAPI(faults: "1:truncate,3:partial-errors,4:500")
        let output = try Paths.temporaryDirectory("truncate")
        let (status, process) = try TweetIngest.run(["run", "--once"], environment: TweetIngest.environment(api: api, outputDir: output))
        #expect(status == 0, "\(process.allOutput)")
        #expect(process.allOutput.contains("transfer closed"), "the cut-off body is noticed and retried")
        #expect(process.allOutput.contains("partial errors"))
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(Set(delivered.ids) == (try api.servedIDs()))
        #expect(delivered.ids.count == 400)
    }

    @Test func gzipObjectsDecompressWithGzip() throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("gzip")
        let (status, process) = try TweetIngest.run(
            ["run", "--once"], environment: TweetIngest.environment(api: api, outputDir: output, extra: ["COMPRESSION": "gzip"]))
        #expect(status == 0, "\(process.allOutput)")
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(!delivered.dataFiles.isEmpty && delivered.dataFiles.allSatisfy { $0.hasSuffix(".gz") })
        #expect(delivered.ids.count == 400)
    }
}
