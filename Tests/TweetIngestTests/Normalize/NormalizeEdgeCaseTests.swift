import Foundation
import Testing

@testable import TweetIngest

@Suite("Normalize edge cases")
struct NormalizeEdgeCaseTests {
    private func normalize(_ json: String) -> Result<NormalizedPage, PageError> {
        PageNormalizer.normalize(Array(json.utf8), context: Pages.context)
    }

    @Test func dataEntryThatIsNotAnObjectBecomesAnErrorRecord() throws {
        let result = try normalize(#"{"data":[{"id":"1","text":"ok"},"just a string",[1,2]],"meta":{"result_count":3}}"#).get()
        #expect(result.recordCount == 1)
        #expect(result.errorCount == 2)
        let errors = try jsonLines(result.errorRecords)
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0["errorCode"] as? String == "Normalize.NotAnObject" && $0["errorMessage"] is String })
        #expect(rawData(of: errors[0]) == Array(#""just a string""#.utf8))
        #expect(rawData(of: errors[1]) == Array("[1,2]".utf8))
    }

    @Test(arguments: [#"{"text":"no id"}"#, #"{"id":1234,"text":"numeric id"}"#, #"{"id":"12a","text":"not digits"}"#])
    func tweetWithoutAStringIDBecomesAnErrorRecordNotADrop(tweet: String) throws {
        let result = try normalize(#"{"data":[\#(tweet)],"meta":{"result_count":1}}"#).get()
        #expect(result.recordCount == 0)
        #expect(result.records.isEmpty)
        let error = try #require(try jsonLines(result.errorRecords).first)
        #expect(error["errorCode"] as? String == "Normalize.MissingId")
        #expect(rawData(of: error) == Array(tweet.utf8))
        #expect((error["ingest"] as? [String: Any])?["query"] as? String == "#swift lang:en")
    }

    @Test(arguments: [
        #"{"data":[{"id":"1","text":"cut off"#, #"{"data":[{"id":"1"}],"meta":{"result_count":1}"#,
        #"{"data":[{"id":"1"}]} trailing"#, "", #"{"data":[{"id":"1","text":"bad \x escape"}]}"#,
    ])
    func truncatedOrInvalidJSONIsMalformed(json: String) {
        guard case .failure(.malformedJSON(let why)) = normalize(json) else {
            Issue.record("expected .malformedJSON for \(json)")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test func truncatedRecordedPageIsMalformed() throws {
        let page = try Fixtures.bytes(Fixtures.brexitPage)
        let result = PageNormalizer.normalize(Array(page.prefix(page.count / 2)), context: Pages.context)
        guard case .failure(.malformedJSON) = result else {
            Issue.record("half a page must be .malformedJSON, got \(result)")
            return
        }
    }

    @Test func emptyResultIsASuccessWithoutRecords() throws {
        let result = try normalize(#"{"meta":{"result_count":0}}"#).get()
        #expect(result.recordCount == 0)
        #expect(result.records.isEmpty)
        #expect(result.errorCount == 0)
        #expect(result.meta == PageMeta(resultCount: 0))
    }

    @Test(arguments: [#"{"foo":1}"#, #"[{"id":"1"}]"#, #"{"data":{"id":"1"}}"#])
    func jsonThatIsNotASearchPageIsNotAPage(json: String) {
        guard case .failure(.notAPage) = normalize(json) else {
            Issue.record("expected .notAPage for \(json)")
            return
        }
    }

    @Test func unicodeAndEscapesInTextStayByteIdentical() throws {
        let text = #"caf\u00e9 \"quoted\" back\\slash\/ line\nbreak tab\t 😀 日本語 \ud83d\ude00 \u2028"#
        let page = #"{"data":[{"id":"1","text":"\#(text)","lang":"fr"}],"meta":{"result_count":1}}"#
        let result = try normalize(page).get()
        let line = String(decoding: result.records, as: UTF8.self)
        #expect(line.contains(#""text":"\#(text)""#))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let record = try #require(try jsonLines(result.records).first)
        #expect(record["text"] as? String == "café \"quoted\" back\\slash/ line\nbreak tab\t 😀 日本語 😀 \u{2028}")
    }

    @Test func idsBeyondDoublePrecisionAreKeptAsTheirDigits() throws {
        let ids = ["9007199254740993", "18446744073709551615", "1380242611781386245"]
        let tweets = ids.map { #"{"id":"\#($0)","author_id":"\#($0)"}"# }.joined(separator: ",")
        let users = ids.map { #"{"id":"\#($0)","name":"n"}"# }.joined(separator: ",")
        let result = try normalize(
            #"{"data":[\#(tweets)],"includes":{"users":[\#(users)]},"meta":{"newest_id":"18446744073709551615","oldest_id":"9007199254740993"}}"#
        ).get()
        let lines = splitLines(result.records).map { String(decoding: $0, as: UTF8.self) }
        for (line, id) in zip(lines, ids) {
            #expect(line.hasPrefix(#"{"id":"\#(id)","author_id":"\#(id)","author":{"id":"\#(id)","name":"n"}"#))
        }
        #expect(result.meta.newestID == TweetID(UInt64.max))
        #expect(result.meta.oldestID?.description == "9007199254740993")
        #expect(result.newestTweetID == TweetID(UInt64.max))
    }

    /// twarc replaces `author` in place when there is an `author_id`; `ingest` is always ours.
    @Test func tweetCarryingAuthorOrIngestKeysGetsOnlyOurs() throws {
        let page =
            #"{"data":[{"author":"spoof","id":"7","ingest":{"x":1},"text":"t","author_id":"u"}],"includes":{"users":[{"id":"u","username":"real"}]}}"#
        let result = try normalize(page).get()
        let line = String(decoding: result.records, as: UTF8.self)
        #expect(line.components(separatedBy: #""author":"#).count == 2)
        #expect(line.components(separatedBy: #""ingest":"#).count == 2)
        let record = try #require(try jsonLines(result.records).first)
        #expect((record["author"] as? [String: Any])?["username"] as? String == "real")
        #expect(record["text"] as? String == "t")
        #expect(record["id"] as? String == "7")
        #expect(line.hasPrefix(#"{"author":{"id":"u","username":"real"},"id":"7","text":"t","author_id":"u","ingest":{"#))
    }

    @Test func ingestQueryWithQuotesAndControlCharactersIsEscaped() throws {
        let query = "say \"hi\" \\ #tag\nnext\u{01}"
        let context = IngestContext(query: query, fetchedAt: Date(timeIntervalSince1970: 0), source: .recentSearch)
        let result = try PageNormalizer.normalize(Array(#"{"data":[{"id":"1"}]}"#.utf8), context: context).get()
        #expect(result.records.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        let ingest = try #require(try jsonLines(result.records).first?["ingest"] as? [String: Any])
        #expect(ingest["query"] as? String == query)
        #expect(ingest["fetched_at"] as? String == "1970-01-01T00:00:00.000Z")
    }

    @Test func authorMissingFromIncludesIsAnEmptyObject() throws {
        let result = try normalize(#"{"data":[{"id":"1","author_id":"404"}],"includes":{"users":[{"id":"5"}]}}"#).get()
        let line = String(decoding: result.records, as: UTF8.self)
        #expect(line.hasPrefix(#"{"id":"1","author_id":"404","author":{},"ingest":{"#))
        let record = try #require(try jsonLines(result.records).first)
        #expect((record["author"] as? [String: Any])?.isEmpty == true)
        #expect(record["author_id"] as? String == "404")
    }
}
