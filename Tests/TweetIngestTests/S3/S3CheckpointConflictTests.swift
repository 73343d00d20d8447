import Foundation
import Testing

@testable import TweetIngest

/// Two daemons on one stream must not silently overwrite each other's checkpoint.
@Suite("S3 checkpoint conditional writes")
struct S3CheckpointConflictTests {
    let checkpoint = Checkpoint(
        stream: "tweets", query: "q", cursor: SearchCursor(sinceID: TweetID(500)), updatedAt: Date(timeIntervalSince1970: 1_800_000_000))

    func stored(_ cursor: SearchCursor, writer: String) throws -> ScriptedS3Client.Reply {
        var other = checkpoint
        other.cursor = cursor
        other.writer = writer
        return .response(HTTPResponse(status: 200, headers: [("ETag", "\"e2\"")], body: try other.encoded()))
    }

    @Test func writesAreConditionalOnTheETagLastSeen() async throws {
        let http = ScriptedS3Client([
            .response(HTTPResponse(status: 200, headers: [("ETag", "\"e1\"")], body: try checkpoint.encoded())),
            .status(200, headers: [("ETag", "\"e2\"")]),
            .status(200, headers: [("ETag", "\"e3\"")]),
        ])
        let store = S3CheckpointStore(client: try S3Fixtures.client(http), streamName: "tweets", writerID: "me")
        _ = try await store.load()
        try await store.save(checkpoint)
        try await store.save(checkpoint)
        #expect(http.requests[1].header("if-match") == "\"e1\"")
        #expect(http.requests[2].header("if-match") == "\"e2\"", "each write expects the ETag of the previous one")
    }

    @Test func anotherWriterIsAConflictThatStopsTheDaemon() async throws {
        let http = ScriptedS3Client([
            .response(HTTPResponse(status: 200, headers: [("ETag", "\"e1\"")], body: try checkpoint.encoded())),
            .s3Error(412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold"),
            try stored(SearchCursor(sinceID: TweetID(900)), writer: "other-daemon"),
            try stored(SearchCursor(sinceID: TweetID(900)), writer: "other-daemon"),
        ])
        let store = S3CheckpointStore(client: try S3Fixtures.client(http), streamName: "tweets", writerID: "me")
        _ = try await store.load()
        let error = await #expect(throws: CheckpointConflictError.self) { try await store.save(checkpoint) }
        #expect(error?.description.contains("other-daemon") == true)
        #expect(error?.description.contains("one daemon per STREAM_NAME") == true)
        #expect(ExitStatus.code(for: error!) == 75)
    }

    @Test func ourOwnWriteWhoseAnswerWasLostIsNotAConflict() async throws {
        // The first PUT landed but its connection dropped; the retry is refused with 412, and the
        // object turns out to be exactly what this daemon wrote.
        let http = ScriptedS3Client([
            .s3Error(404, code: "NoSuchKey", message: "The specified key does not exist."),
            .reset,
            .s3Error(412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold"),
            try stored(checkpoint.cursor, writer: "me"),
            .status(200, headers: [("ETag", "\"e3\"")]),
        ])
        let store = S3CheckpointStore(client: try S3Fixtures.client(http), streamName: "tweets", writerID: "me")
        #expect(try await store.load() == nil)
        try await store.save(checkpoint)
        try await store.save(checkpoint)
        #expect(http.requests.last?.header("if-match") == "\"e2\"", "the ETag of our own landed write is adopted")
    }

    @Test func deliveryDoesNotRetryAConflict() async throws {
        struct ConflictingStore: CheckpointStore {
            func load() async throws -> Checkpoint? { nil }
            func save(_ checkpoint: Checkpoint) async throws { throw CheckpointConflictError(location: "x", detail: "y") }
        }
        let delivery = Delivery(
            sink: LocalDirectorySink(root: FileManager.default.temporaryDirectory.path + "/conflict-\(UUID())", streamName: "t"),
            checkpoints: ConflictingStore(), layout: ObjectKeyLayout(streamName: "t"), compression: .none, streamName: "t", query: "q",
            logger: .init(label: "test"), now: { Date() }, sleep: { _ in Issue.record("a conflict must not be retried") })
        var batch = Batch()
        batch.checkpoint = SearchCursor(sinceID: TweetID(1))
        await #expect(throws: CheckpointConflictError.self) { try await delivery.deliver(batch, reason: "test") }
    }
}
