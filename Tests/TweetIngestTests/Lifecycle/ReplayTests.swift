import Foundation
import Testing

@testable import TweetIngest

@Suite("Replay")
struct ReplayTests {
    private struct Run {
        var summary: ReplaySummary
        var sink: FakeSink
    }

    private func replay(_ files: [(name: String, bytes: [UInt8])]) async throws -> Run {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let paths = try files.map { try directory.write($0.bytes, to: $0.name) }
        let sink = FakeSink()
        let pipeline = Pipeline(delivery: .fake(sink: sink), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: ManualClock())
        let replayer = Replayer(pipeline: pipeline, query: nil, logger: silentLogger, now: { FakeWallClock.start }, progress: .off)
        return Run(summary: try await replayer.replay(files: paths), sink: sink)
    }

    @Test func prettyPrintedSinglePageFileBecomesItsRecords() async throws {
        let run = try await replay([("page.json", try Fixtures.bytes(Fixtures.obamaPage))])
        #expect(run.summary.pages == 1)
        #expect(run.summary.records == 100)
        #expect(run.summary.malformedPages == 0)
        #expect(run.summary.objects == 1)
        let records = try jsonLines(run.sink.deliveredBytes)
        #expect(records.count == 100)
        let ingest = try #require(records.first?["ingest"] as? [String: Any])
        #expect(ingest["source"] as? String == "replay")
        #expect(ingest["query"] as? String == "obama")
        #expect(ingest["fetched_at"] as? String == "2021-04-08T19:34:32.000Z")
    }

    @Test func jsonLinesFileWithThreePagesBecomesAllTheirRecords() async throws {
        let names = [Fixtures.brexitPage, Fixtures.kpopPage, Fixtures.obamaPage]
        let lines = try names.map { try Fixtures.pageAsOneLine($0) + [0x0A] }
        let run = try await replay([("pages.jsonl", lines.flatMap { $0 })])
        #expect(run.summary.pages == 3)
        #expect(run.summary.records == 300)
        #expect(run.summary.errorRecords == 0)
        let records = try jsonLines(run.sink.deliveredBytes)
        let expectedIDs = try names.flatMap { name in
            try #require(try Fixtures.object(name)["data"] as? [[String: Any]]).map { $0["id"] as? String }
        }
        #expect(records.map { $0["id"] as? String } == expectedIDs)
        #expect(Set(records.compactMap { ($0["ingest"] as? [String: Any])?["query"] as? String }) == ["#brexit", "#kpop", "obama"])
    }

    @Test func truncatedMiddleLineBecomesOneErrorRecordAndTheOthersRecords() async throws {
        let kpop = try Fixtures.pageAsOneLine(Fixtures.kpopPage)
        let truncated = Array(kpop.prefix(kpop.count / 2))
        let file =
            try Fixtures.pageAsOneLine(Fixtures.brexitPage) + [0x0A] + truncated + [0x0A] + Fixtures.pageAsOneLine(Fixtures.obamaPage) + [
                0x0A
            ]
        let run = try await replay([("broken.jsonl", file)])
        #expect(run.summary.pages == 2)
        #expect(run.summary.records == 200)
        #expect(run.summary.malformedPages == 1)
        #expect(run.summary.errorRecords == 1)
        #expect(run.summary.objects == 2)
        let errorObject = try #require(run.sink.delivered.first { $0.key.hasPrefix("errors/processing-failed/") })
        let errors = try jsonLines(errorObject.body)
        #expect(errors.count == 1)
        #expect(errors.first?["errorCode"] as? String == "Replay.MalformedPage")
        #expect((errors.first?["errorMessage"] as? String)?.contains("broken.jsonl:2") == true)
        #expect(errors.first.flatMap(rawData(of:)) == truncated)
        let dataObject = try #require(run.sink.delivered.first { !$0.key.hasPrefix("errors/") })
        #expect(try jsonLines(dataObject.body).count == 200)
    }

    @Test func missingFileIsAnErrorNamingIt() async throws {
        let pipeline = Pipeline(delivery: .fake(sink: FakeSink()), maxBytes: 1024, interval: .seconds(300), clock: ManualClock())
        let replayer = Replayer(pipeline: pipeline, query: nil, logger: silentLogger, now: { FakeWallClock.start }, progress: .off)
        let error = try await #require(throws: ReplayError.self) { try await replayer.replay(files: ["/nonexistent/pages.jsonl"]) }
        #expect(error.description.contains("/nonexistent/pages.jsonl"))
    }
}
