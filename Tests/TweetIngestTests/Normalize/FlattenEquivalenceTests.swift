import Foundation
import Testing

@testable import TweetIngest

/// Our records against what the real `twarc2 flatten` (PyPI twarc, `twarc.expansions.flatten`)
/// makes of the same page: equal as JSON values, post by post, once twarc's `__twarc` and our
/// `ingest` are set aside.
@Suite("Records equal twarc2 flatten")
struct FlattenEquivalenceTests {
    static let synthetic = "flatten_synthetic_edge_cases.json"
    static let pages = Fixtures.twarcPages + Fixtures.tweepyPages + [synthetic]
    static let context = IngestContext(
        query: "obama lang:en", fetchedAt: Date(timeIntervalSince1970: 1_617_910_472.5), source: .recentSearch)

    @Test(arguments: pages)
    func everyRecordEqualsTwarcsFlattenedPost(name: String) throws {
        try expectEqualToTwarc(try Fixtures.bytes(name), name)
    }

    /// The same pages with all whitespace between tokens removed: the copy path instead of the
    /// minifying one.
    @Test(arguments: pages)
    func compactPagesGiveTheSameRecords(name: String) throws {
        let compact = try JSONSerialization.data(withJSONObject: Fixtures.object(name))
        let pretty = try records(Fixtures.bytes(name))
        let ours = try records(Array(compact))
        #expect(ours.count == pretty.count)
        for (a, b) in zip(ours, pretty) {
            #expect(JSONDifference.between(a, b) == nil)
        }
    }

    @Test func realPagesHoldIncludedPostsThatReferenceEachOtherBothWays() throws {
        // The case where twarc's order matters: an included post that references another one
        // placed earlier in `includes.tweets`, and one placed later.
        var earlier = 0
        var later = 0
        for name in Fixtures.twarcPages {
            let tweets = (try Fixtures.object(name)["includes"] as? [String: Any])?["tweets"] as? [[String: Any]] ?? []
            let position = Dictionary(tweets.enumerated().map { ($0.element["id"] as? String ?? "", $0.offset) }) { a, _ in a }
            for (index, tweet) in tweets.enumerated() {
                for reference in tweet["referenced_tweets"] as? [[String: Any]] ?? [] {
                    guard let other = position[reference["id"] as? String ?? ""] else { continue }
                    if other < index { earlier += 1 } else if other > index { later += 1 }
                }
            }
        }
        #expect(earlier > 0)
        #expect(later > 0)
    }

    @Test func syntheticPageFollowsTwarcsOrderDuplicatesAndEmptyObjects() throws {
        let records = try records(Fixtures.bytes(Self.synthetic))
        try #require(records.count == 3)
        let first = records[0]
        // Username entries override id entries; the last duplicate wins.
        #expect((first["author"] as? [String: Any])?["name"] as? String == "Last Alice")
        #expect(first["in_reply_to_user"] as? [String: Any] != nil && (first["in_reply_to_user"] as? [String: Any])!.isEmpty)
        let attachments = try #require(first["attachments"] as? [String: Any])
        #expect((attachments["media"] as? [[String: Any]])?.map(\.count) == [3, 0, 3])
        #expect((attachments["poll"] as? [String: Any])?["id"] as? String == "p1")
        let geo = try #require(first["geo"] as? [String: Any])
        #expect(geo["place_id"] as? String == "from the place")
        #expect(geo["full_name"] as? String == "Somewhere")
        let mentions = try #require((first["entities"] as? [String: Any])?["mentions"] as? [[String: Any]])
        #expect(mentions[0]["id"] as? String == "u1")
        #expect(mentions[1].count == 3, "a mention whose user is missing stays as it was")
        let references = try #require(first["referenced_tweets"] as? [[String: Any]])
        #expect(references[0]["text"] as? String == "last version wins")
        #expect(references[1].count == 2, "a referenced post that is missing adds nothing")
        // 201 comes before 203 in includes: its copy of 203 has nested expansions but no author.
        let copy = try #require((references[0]["referenced_tweets"] as? [[String: Any]])?.first)
        #expect(copy["author"] == nil)
        #expect((copy["attachments"] as? [String: Any])?["media"] != nil)
        #expect(first["matching_rules"] != nil)
        #expect(first["__twarc"] == nil)
        let ingest = try #require(first["ingest"] as? [String: Any])
        #expect(ingest["x"] == nil, "the post's own ingest key is replaced by ours")
        let deep = try #require(((records[1]["extra"] as? [String: Any])?["deep"] as? [[String: Any]])?.first)
        #expect((deep["author"] as? [String: Any])?["name"] as? String == "username is carol")
        #expect((deep["pinned_tweet"] as? [String: Any])?["author"] != nil, "pinned_tweet is the post fully expanded")
    }

    @Test func receivedValuesKeepTheirBytes() throws {
        let page = try Fixtures.bytes(Self.synthetic)
        let line = String(decoding: try #require(splitLines(normalize(page).records).first), as: UTF8.self)
        #expect(line.hasPrefix(#"{"id":"100","text":"caf\u00e9 \/ \"q\" \ud83d\ude00","author":{"id":"u1""#))
        #expect(line.contains(#""public_metrics":{"retweet_count":12345678901234567890,"ratio":1.50,"exp":1E+2,"neg":-0.0}"#))
        #expect(line.contains(#""url":"https:\/\/example.com\/1.jpg""#))
        #expect(!line.contains("\n"))
        #expect(line.contains(#""media":[{"media_key":"3_1","type":"photo","url":"https:\/\/example.com\/1.jpg"},{},{"#))
        #expect(
            line.hasSuffix(
                #","matching_rules":[{"id":"r1","tag":"t"}],"ingest":{"query":"obama lang:en","fetched_at":"2021-04-08T19:34:32.500Z","source":"recent-search"}}"#
            ))
    }

    @Test func countsWhatThePageRead() throws {
        let result = try normalize(Fixtures.bytes(Self.synthetic))
        #expect(result.postsRead == 3)
        #expect(result.includedPostsRead == 5)
        #expect(result.usersRead == 5)
        let brexit = try normalize(Fixtures.bytes(Fixtures.brexitPage))
        #expect(brexit.postsRead == 100)
        #expect(brexit.includedPostsRead == 59)
        #expect(brexit.usersRead == 177)
        let rejects = try normalize(Array(#"{"data":[{"id":"1"},"x",{"text":"no id"}]}"#.utf8))
        #expect(rejects.postsRead == 3)
        #expect(rejects.recordCount == 1)
    }

    @Test func theComparisonReportsAMissingExpansion() throws {
        let page = try Fixtures.bytes(Self.synthetic)
        var wrong = try #require(try TwarcFlatten.run(page).first)
        var attachments = try #require(wrong["attachments"] as? [String: Any])
        attachments["media"] = nil
        wrong["attachments"] = attachments
        let ours = try #require(try records(page).first)
        let difference = try #require(JSONDifference.between(ours.filter { $0.key != "ingest" }, wrong))
        #expect(difference.contains("attachments.media"))
    }

    // MARK: - Helpers

    private func normalize(_ page: [UInt8]) throws -> NormalizedPage {
        try PageNormalizer.normalize(page, context: Self.context).get()
    }

    private func records(_ page: [UInt8]) throws -> [[String: Any]] {
        try jsonLines(normalize(page).records)
    }

    private func expectEqualToTwarc(_ page: [UInt8], _ name: String) throws {
        let theirs = try TwarcFlatten.run(page)
        let ours = try records(page)
        #expect(ours.count == theirs.count, "\(name): \(ours.count) records, twarc wrote \(theirs.count)")
        #expect(!ours.isEmpty)
        for (index, (record, post)) in zip(ours, theirs).enumerated() {
            #expect(record["ingest"] is [String: Any])
            var post = post
            post["ingest"] = nil
            if let difference = JSONDifference.between(record.filter { $0.key != "ingest" }, post) {
                Issue.record("\(name) post \(index) (\(post["id"] ?? "?")): \(difference)")
            }
        }
    }
}

/// Runs the installed twarc's `flatten` on a page.
enum TwarcFlatten {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static let script = """
        import json, sys
        try:
            from twarc.expansions import flatten
        except ImportError as error:
            sys.exit("twarc is not installed (%s): run scripts/setup.sh --test, which installs PyPI twarc" % error)
        posts = flatten(json.load(sys.stdin))
        for post in posts:
            post.pop("__twarc", None)
        json.dump(posts, sys.stdout)
        """

    static func run(_ page: [UInt8]) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Missing(description: "cannot run python3 (\(error)): run scripts/setup.sh --test, which installs python3 and PyPI twarc")
        }
        let writer = Thread {
            input.fileHandleForWriting.write(Data(page))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Missing(
                description: "python3 with twarc failed (exit \(process.terminationStatus)): \(message)"
                    + " (scripts/setup.sh --test installs PyPI twarc)")
        }
        guard let posts = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Missing(description: "twarc's flatten did not print a list of objects")
        }
        return posts
    }
}

/// The first place two decoded JSON values differ, as a dotted path, or nil when equal.
enum JSONDifference {
    static func between(_ ours: Any, _ theirs: Any, at path: String = "") -> String? {
        let here = path.isEmpty ? "the record" : path
        switch (ours, theirs) {
        case (let a as [String: Any], let b as [String: Any]):
            for key in Set(a.keys).union(b.keys).sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let x = a[key] else { return "\(child) is missing from ours" }
                guard let y = b[key] else { return "\(child) is ours only" }
                if let difference = between(x, y, at: child) { return difference }
            }
            return nil
        case (let a as [Any], let b as [Any]):
            guard a.count == b.count else { return "\(here) has \(a.count) entries, twarc's \(b.count)" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let difference = between(x, y, at: "\(path)[\(index)]") { return difference }
            }
            return nil
        case (is [String: Any], _), (_, is [String: Any]), (is [Any], _), (_, is [Any]):
            return "\(here) differs in type: \(ours) vs \(theirs)"
        default:
            guard let a = ours as? NSObject, let b = theirs as? NSObject, a.isEqual(b) else {
                return "\(here) is \(ours), twarc's is \(theirs)"
            }
            return nil
        }
    }
}
