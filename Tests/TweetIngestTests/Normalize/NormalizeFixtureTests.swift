import Foundation
import Testing

@testable import TweetIngest

/// Every recorded page, normalized and read back with JSONSerialization.
@Suite("Normalize recorded pages")
struct NormalizeFixtureTests {
    private let context = IngestContext(
        query: "obama lang:en", fetchedAt: Date(timeIntervalSince1970: 1_617_910_472.5), source: .recentSearch)

    private struct Normalized {
        var page: [String: Any]
        var tweets: [[String: Any]]
        var result: NormalizedPage
        var records: [[String: Any]]
    }

    private func normalize(_ name: String) throws -> Normalized {
        let page = try Fixtures.object(name)
        let tweets = try #require(page["data"] as? [[String: Any]])
        let result = try PageNormalizer.normalize(Fixtures.bytes(name), context: context).get()
        return Normalized(page: page, tweets: tweets, result: result, records: try jsonLines(result.records))
    }

    /// Noting spans (Parquet output) changes no record, and every large value the Parquet
    /// shredder passes over has its span, exactly. (Opening a span before the member's key
    /// instead of at its value, tried, fails here.)
    @Test(arguments: Fixtures.twarcPages + Fixtures.tweepyPages)
    func spansSayWhereTheRecordsLargeValuesAre(name: String) throws {
        let plain = try PageNormalizer.normalize(Fixtures.bytes(name), context: context).get()
        let noted = try PageNormalizer.normalize(Fixtures.bytes(name), context: context, notingSpans: true).get()
        #expect(noted.records == plain.records)
        #expect(plain.spans.isEmpty)
        let count = checkSpans(noted.spans, in: noted.records, "\(name)")
        let expected = expectedSpanStarts(in: noted.records)
        #expect(expected.isSubset(of: Set(noted.spans.map(\.start))), "\(expected.subtracting(noted.spans.map(\.start)).count) missing")
        // twarc's pages carry expansions (large values in every record); tweepy's some at most.
        if Fixtures.twarcPages.contains(name) { #expect(count >= plain.recordCount && expected.count >= plain.recordCount, "\(name)") }
    }

    @Test func everyRecordedPageIsInTheBundle() {
        #expect(Fixtures.twarcPages.count >= 4)
        #expect(Fixtures.tweepyPages.count >= 4)
    }

    @Test(arguments: Fixtures.twarcPages + Fixtures.tweepyPages)
    func recordsKeepEveryTweetFieldAsReceived(name: String) throws {
        let n = try normalize(name)
        #expect(n.result.recordCount == n.tweets.count)
        #expect(n.records.count == n.tweets.count)
        #expect(n.result.errorCount == 0)
        // Members twarc's flatten rewrites in place; everything else is exactly as received.
        let rewritten: Set<String> = ["referenced_tweets", "geo", "entities", "attachments", "note_tweet"]
        for (record, tweet) in zip(n.records, n.tweets) {
            #expect(Set(tweet.keys).isSubset(of: Set(record.keys)), "fields missing for \(tweet["id"] ?? "?")")
            for (key, value) in tweet where !rewritten.contains(key) {
                #expect(jsonEqual(record[key], value), "\(key) differs for \(tweet["id"] ?? "?")")
            }
            #expect(record["id"] is String)
        }
    }

    @Test(arguments: Fixtures.twarcPages + Fixtures.tweepyPages)
    func recordsInlineTheAuthorFromIncludes(name: String) throws {
        let n = try normalize(name)
        let includes = n.page["includes"] as? [String: Any]
        let users = includes?["users"] as? [[String: Any]] ?? []
        for (record, tweet) in zip(n.records, n.tweets) {
            guard tweet["author_id"] != nil else {
                #expect(record["author"] == nil, "no author_id, no author (as twarc)")
                continue
            }
            let author = try #require(record["author"] as? [String: Any])
            if let user = users.last(where: { ($0["id"] as? String) == (tweet["author_id"] as? String) }) {
                #expect(jsonEqual(author, user))
            } else {
                #expect(author.isEmpty, "tweet \(tweet["id"] ?? "?") has no author in includes: {} as twarc writes")
            }
        }
        if name.hasPrefix("twarc_") { #expect(n.records.allSatisfy { ($0["author"] as? [String: Any])?.isEmpty == false }) }
    }

    @Test(arguments: Fixtures.twarcPages)
    func recordsCarryIngestMetadata(name: String) throws {
        let n = try normalize(name)
        for record in n.records {
            let ingest = try #require(record["ingest"] as? [String: Any])
            #expect(ingest.count == 3)
            #expect(ingest["query"] as? String == "obama lang:en")
            #expect(ingest["fetched_at"] as? String == "2021-04-08T19:34:32.500Z")
            #expect(ingest["source"] as? String == "recent-search")
        }
    }

    @Test(arguments: Fixtures.twarcPages)
    func writesOneRecordPerLineThoughThePageIsPrettyPrinted(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count > 1000, "the fixture should be pretty-printed")
        let n = try normalize(name)
        let lines = splitLines(n.result.records)
        #expect(n.result.records.last == UInt8(ascii: "\n"))
        #expect(lines.count == n.tweets.count + 1)
        #expect(lines.last?.isEmpty == true)
        #expect(lines.dropLast().allSatisfy { $0.first == UInt8(ascii: "{") && $0.last == UInt8(ascii: "}") })
    }

    @Test(arguments: Fixtures.twarcPages + Fixtures.tweepyPages)
    func parsesThePageMeta(name: String) throws {
        let n = try normalize(name)
        let meta = try #require(n.page["meta"] as? [String: Any])
        #expect(n.result.meta.newestID?.description == meta["newest_id"] as? String)
        #expect(n.result.meta.oldestID?.description == meta["oldest_id"] as? String)
        #expect(n.result.meta.nextToken == meta["next_token"] as? String)
        #expect(n.result.meta.resultCount == meta["result_count"] as? Int)
        #expect(n.result.meta.resultCount == n.tweets.count)
        let ids = n.tweets.compactMap { ($0["id"] as? String).flatMap(TweetID.init) }
        #expect(n.result.newestTweetID == ids.max())
        #expect(n.result.oldestTweetID == ids.min())
    }

    @Test(arguments: Fixtures.twarcPages)
    func idsAbove2To53SurviveByteExactly(name: String) throws {
        let n = try normalize(name)
        let lines = splitLines(n.result.records).map { String(decoding: $0, as: UTF8.self) }
        for (line, tweet) in zip(lines, n.tweets) {
            let id = try #require(tweet["id"] as? String)
            #expect(try #require(UInt64(id)) > 1 << 53)
            #expect(line.hasPrefix(#"{"id":"\#(id)""#) || line.contains(#","id":"\#(id)""#), "\(id) was not kept as sent")
        }
    }

    @Test(arguments: [(Fixtures.obamaPage, "gatewaypundit"), (Fixtures.kpopPage, "leeseunggi")])
    func reportsThePagesPartialErrors(name: String, suspendedUser: String) throws {
        let n = try normalize(name)
        let errors = try #require(n.page["errors"] as? [[String: Any]])
        #expect(n.result.partialErrors.count == errors.count)
        let first = try #require(n.result.partialErrors.first)
        #expect(first.contains("resource_id=\(suspendedUser)"))
        #expect(first.contains("title=Forbidden"))
        #expect(n.result.recordCount == 100, "a page with partial errors is still used whole")
    }

    @Test func authorsMatchTwarcsFlattenedOutput() throws {
        let records = try normalize(Fixtures.obamaPage).records
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0["id"] as? String ?? "", $0) })
        let flattened = try jsonLines(Fixtures.bytes(Fixtures.obamaFlattened))
        #expect(flattened.count == 100)
        var compared = 0
        for line in flattened {
            let id = try #require(line["id"] as? String)
            let theirs = try #require(line["author"] as? [String: Any])
            let ours = try #require(byID[id]?["author"] as? [String: Any], "no record for \(id)")
            for (key, value) in theirs where ours[key] != nil {
                #expect(jsonEqual(ours[key], value), "author.\(key) differs for tweet \(id)")
                compared += 1
            }
            #expect(ours["username"] as? String == theirs["username"] as? String)
        }
        #expect(compared > 500)
    }

    @Test func replayTakesQueryAndTimeFromTwarcsMetadata() throws {
        let replay = IngestContext(query: "ignored", fetchedAt: Date(timeIntervalSince1970: 0), source: .replay)
        let result = try PageNormalizer.normalize(Fixtures.bytes(Fixtures.mediaPage), context: replay).get()
        #expect(result.twarcQuery == "from:mariambarghouti")
        let ingest = try #require(try jsonLines(result.records).first?["ingest"] as? [String: Any])
        #expect(ingest["query"] as? String == "from:mariambarghouti")
        #expect(ingest["fetched_at"] as? String == "2021-05-11T21:36:26.000Z")
        #expect(ingest["source"] as? String == "replay")
    }
}
