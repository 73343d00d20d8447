import Foundation
import Testing

@Suite("Replay end to end", .serialized)
struct ReplayTests {
    @Test func replayOfPagesAndTwarcJSONLWritesEveryTweetAndSetsAsideABrokenLine() throws {
        let output = try Paths.temporaryDirectory("replay")
        // A twarc-style JSONL archive: two pages, one per line, and a truncated line between them.
        let pages = [
            "twarc_search_recent_brexit_page_2021-09-22.json", "twarc_search_recent_kpop_page_with_places_and_errors_2021-09-22.json",
        ]
        var jsonl = ""
        var brokenLine = ""
        for (index, name) in pages.enumerated() {
            let data = try Data(contentsOf: URL(fileURLWithPath: Paths.twitterFixtures + "/" + name))
            let compact = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data))
            jsonl += String(decoding: compact, as: UTF8.self) + "\n"
            if index == 0 {
                brokenLine = String(String(decoding: compact, as: UTF8.self).prefix(500))
                jsonl += brokenLine + "\n"
            }
        }
        let archive = output + "-archive.jsonl"
        try jsonl.write(toFile: archive, atomically: true, encoding: .utf8)
        let pretty = Paths.twitterFixtures + "/twarc_search_recent_obama_page_with_errors_2021-04-08.json"

        let (status, process) = try TweetIngest.run(
            ["replay", archive, pretty], environment: TweetIngest.environment(api: nil, outputDir: output))
        #expect(status == 0, "\(process.allOutput)")
        #expect(process.lines.contains { $0.hasPrefix("replayed 3 pages: 300 records, 1 set aside") })
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(delivered.records.count == 300 && Set(delivered.ids).count == 300)
        #expect(delivered.errorFiles.count == 1 && delivered.errorFiles[0].hasPrefix("errors/processing-failed/"))
        let error = try #require(delivered.errorRecords.first)
        #expect(error["errorCode"] as? String == "Replay.MalformedPage")
        let raw = try #require((error["rawData"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(raw == Data(brokenLine.utf8), "the broken line is kept whole in the error record")
        // twarc's own metadata gives the query and retrieval time of archived pages.
        let ingest = try #require(delivered.records.first?["ingest"] as? [String: Any])
        #expect(ingest["source"] as? String == "replay")
    }

    @Test func sizeBoundSplitsObjectsAtRecordBoundaries() throws {
        let output = try Paths.temporaryDirectory("replay-split")
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.twitterFixtures)
            .filter { $0.hasPrefix("twarc_search_recent_") }.map { Paths.twitterFixtures + "/" + $0 }
        // The four pages twice: about 4.2 MB of records (expansions inlined) against a 1 MiB buffer.
        let (status, process) = try TweetIngest.run(
            ["replay"] + files + files, environment: TweetIngest.environment(api: nil, outputDir: output, extra: ["BUFFER_SIZE_MB": "1"]))
        #expect(status == 0, "\(process.allOutput)")
        let delivered = try DeliveredObjects(outputDir: output)
        #expect(delivered.records.count == 800)
        #expect(delivered.dataFiles.count == 4)
        for file in delivered.dataFiles {
            let size = try FileManager.default.attributesOfItem(atPath: output + "/" + file)[.size] as? Int ?? 0
            #expect(size < 1024 * 1024 + 20_000, "\(file) is \(size) bytes: more than one record over the bound")
        }
    }

    @Test func replayWithoutATerminalLogsItsProgressAndNoBar() throws {
        let output = try Paths.temporaryDirectory("replay-progress")
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.twitterFixtures)
            .filter { $0.hasPrefix("twarc_search_recent_") }.sorted().map { Paths.twitterFixtures + "/" + $0 }
        let size = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int ?? 0) }
        // stdout and stderr are pipes here: a log line every 5 s, and always one at the end.
        let (status, process) = try TweetIngest.run(
            ["replay"] + files, environment: TweetIngest.environment(api: nil, outputDir: output, extra: ["LOG_FORMAT": "json"]))
        #expect(status == 0, "\(process.allOutput)")
        let progress = process.lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["message"] as? String == "replay progress" }
        let last = try #require(progress.last, "no progress line in \(process.allOutput)")
        #expect(last["level"] as? String == "info")
        #expect(last["replay.bytes_read"] as? String == "\(size)" && last["replay.bytes_total"] as? String == "\(size)")
        #expect(last["replay.pages"] as? String == "\(files.count)" && last["replay.records"] as? String == "\(files.count * 100)")
        #expect(last["replay.seconds_left"] as? String == "0")
        #expect(!process.standardError.contains("\r"), "a bar was drawn on stderr, which is not a terminal")
    }

    @Test func replayOfAMissingFileFailsWithItsName() throws {
        let output = try Paths.temporaryDirectory("replay-missing")
        let (status, process) = try TweetIngest.run(
            ["replay", "/nonexistent/pages.jsonl"], environment: TweetIngest.environment(api: nil, outputDir: output))
        #expect(status == 1)
        #expect(process.standardError.contains("/nonexistent/pages.jsonl"))
    }
}
