import Foundation
import Testing

@testable import TweetIngest

@Suite("Local directory sink")
struct LocalDirectorySinkTests {
    private let key = "2026/01/02/03/tweets-1-2026-01-02-03-04-05-abc"

    @Test func writesTheExactBytesUnderOutputDirAndKeyCreatingFolders() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = LocalDirectorySink(root: directory.path + "/out", streamName: "tweets")
        let body = Array(#"{"id":"1","text":"é\n"}"#.utf8) + [0x0A, 0x00, 0xFF]
        try await sink.deliver(DeliveryObject(key: key, body: body, recordCount: 1))
        #expect(directory.allFiles() == ["out/" + key])
        #expect(FileManager.default.contents(atPath: directory.path + "/out/" + key).map(Array.init) == body)
        #expect(sink.destination == "file://" + directory.path + "/out")
    }

    @Test func overwritingAKeyLeavesOneFileAndNoTemporaryFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = LocalDirectorySink(root: directory.path, streamName: "tweets")
        try await sink.deliver(DeliveryObject(key: key, body: Array("first attempt, longer body\n".utf8), recordCount: 1))
        try await sink.deliver(DeliveryObject(key: key, body: Array("retry\n".utf8), recordCount: 1))
        try await sink.deliver(DeliveryObject(key: key + ".gz", body: [0x1F, 0x8B], recordCount: 1))
        #expect(directory.allFiles() == [key, key + ".gz"])
        #expect(FileManager.default.contents(atPath: directory.path + "/" + key) == Data("retry\n".utf8))
    }

    @Test func checkpointSurvivesASaveAndLoad() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = LocalDirectorySink(root: directory.path, streamName: "tweets")
        #expect(try await sink.load() == nil)
        let cursor = SearchCursor(
            sinceID: TweetID("1380242611781386245"),
            pending: .init(
                untilID: TweetID(9_007_199_254_740_993), newestID: TweetID(UInt64.max),
                startTime: Date(timeIntervalSince1970: 1_767_323_045)))
        let checkpoint = Checkpoint(
            stream: "tweets", query: "#swift lang:en", cursor: cursor, updatedAt: Date(timeIntervalSince1970: 1_767_323_045.5))
        try await sink.save(checkpoint)
        #expect(directory.allFiles() == ["_state/tweets.json", "_state/tweets.lock"], "the checkpoint and the stream's lock")
        #expect(try await sink.load() == checkpoint)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: sink.checkpointPath)), as: UTF8.self)
        #expect(text.contains(#""since_id" : "1380242611781386245""#))
        #expect(text.contains(#""updated_at" : "2026-01-02T03:04:05.500Z""#))
    }

    @Test func corruptCheckpointIsAnErrorNamingItsPath() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = LocalDirectorySink(root: directory.path, streamName: "tweets")
        try FileManager.default.createDirectory(atPath: directory.path + "/_state", withIntermediateDirectories: true)
        _ = try directory.write(Array(#"{"version":1,"stream":"tweets","cursor":{"since_id":"#.utf8), to: "_state/tweets.json")
        let error = try await #require(throws: LocalSinkError.self) { try await sink.load() }
        #expect(error.path == sink.checkpointPath)
        #expect(error.description.contains(directory.path + "/_state/tweets.json"))
    }

    @Test func unwritableOutputDirIsAnErrorNamingThePath() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(Array("a file, not a folder".utf8), to: "blocked")
        let sink = LocalDirectorySink(root: directory.path + "/blocked", streamName: "tweets")
        let error = try await #require(throws: LocalSinkError.self) {
            try await sink.deliver(DeliveryObject(key: key, body: [1], recordCount: 1))
        }
        #expect(error.description.contains(directory.path + "/blocked"))
        #expect(error.description.contains("OUTPUT_DIR"))
    }

    @Test func aSecondSinkOnTheSameStreamCannotTakeTheCheckpoint() async throws {
        let directory = try TemporaryDirectory()
        let first = LocalDirectorySink(root: directory.path, streamName: "tweets")
        _ = try await first.load()
        let second = LocalDirectorySink(root: directory.path, streamName: "tweets")
        let error = await #expect(throws: CheckpointConflictError.self) { try await second.load() }
        #expect(error?.description.contains("held by process \(getpid())") == true)
        let otherStream = LocalDirectorySink(root: directory.path, streamName: "other")
        #expect(try await otherStream.load() == nil, "another stream in the same folder is independent")
    }
}
