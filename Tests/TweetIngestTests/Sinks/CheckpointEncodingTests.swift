import Foundation
import Testing

@testable import TweetIngest

/// The checkpoint file and the object's `cursor` fact are written without `JSONEncoder`; they
/// must stay exactly what it writes (older daemons and tools read them, and tests match text).
@Suite("Checkpoint encoding")
struct CheckpointEncodingTests {
    static let cursors: [SearchCursor] = [
        SearchCursor(),
        SearchCursor(sinceID: TweetID(1_380_242_611_781_386_245)),
        SearchCursor(
            sinceID: TweetID(17),
            pending: .init(untilID: TweetID(40), newestID: TweetID(99), startTime: Date(timeIntervalSince1970: 1_800_000_000)),
            reads: DailyReads(day: "2026-12-03", posts: 400)),
        SearchCursor(
            pending: .init(untilID: TweetID(40), newestID: TweetID(99), startTime: Date(timeIntervalSince1970: 1_800_000_000.125))),
        SearchCursor(pending: .init(untilID: TweetID(40), newestID: TweetID(99), startTime: nil)),
    ]

    static var checkpoints: [Checkpoint] {
        let now = Date(timeIntervalSince1970: 1_800_000_000.5)
        let query = "from:x \"quoted\" back\\slash /slash\n\t\u{1}é😀"
        var plain = Checkpoint(stream: "tweets", query: query, cursor: cursors[2], updatedAt: now)
        plain.writer = "3f2a"
        return [
            plain,
            Checkpoint(stream: "tweets", query: "", cursor: cursors[0], updatedAt: now),
            Checkpoint(
                stream: "s", query: "q", cursor: cursors[1], updatedAt: now, sequence: 7,
                intent: .init(sequence: 7, keys: ["tweets/2026/12/03/a.jsonl", "errors/b"], cursor: cursors[3]),
                unfinishedUploads: [AbandonedUpload(key: "k/1", uploadID: "u1"), AbandonedUpload(key: "k2", uploadID: "u/2")]),
            Checkpoint(
                stream: "s", query: "q", cursor: cursors[4], updatedAt: now, sequence: 0,
                intent: .init(sequence: 0, keys: [], cursor: cursors[0]), unfinishedUploads: []),
        ]
    }

    @Test(arguments: checkpoints)
    func checkpointFileIsWhatJSONEncoderWrites(checkpoint: Checkpoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let expected = Array(try encoder.encode(checkpoint)) + [UInt8(ascii: "\n")]
        #expect(String(decoding: try checkpoint.encoded(), as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(try Checkpoint.decode(try checkpoint.encoded()) == checkpoint)
    }

    @Test(arguments: cursors)
    func cursorFactIsWhatJSONEncoderWrites(cursor: SearchCursor) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try cursor.compactJSON() == String(decoding: try encoder.encode(cursor), as: UTF8.self))
    }
}
