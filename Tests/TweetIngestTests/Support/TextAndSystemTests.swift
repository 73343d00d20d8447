import Foundation
import Testing

@testable import TweetIngest

/// The stand-ins for Foundation APIs outside FoundationEssentials behave like the originals did,
/// checked against Foundation itself where it has the same operation.
@Suite("Text and system helpers")
struct TextAndSystemTests {
    static let samples = [
        "", " ", "\t\n", "value", "  value  ", "\tvalue\r\n", "a b", " \u{00A0}x y\u{2003} ", "\n\nline\n", "é ", " e\u{301}",
    ]

    @Test(arguments: samples)
    func trimmingWhitespaceMatchesFoundationsWhitespacesAndNewlines(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(arguments: samples)
    func trimmingLineBreaksMatchesFoundationsNewlines(_ text: String) {
        #expect(text.trimmingLineBreaks() == text.trimmingCharacters(in: .newlines))
    }

    @Test func aPasswordKeepsItsSpacesButNotATrailingNewline() {
        #expect(" secret with spaces \n".trimmingLineBreaks() == " secret with spaces ")
    }

    @Test(arguments: [
        (0.0, 1), (0.05, 1), (0.25, 2), (1.5, 0), (2.345, 2), (12.0, 2), (99.999, 2), (-0.5, 1), (-3.14159, 3), (123_456.789, 1),
        (1e-9, 2),
    ])
    func fixedMatchesStringFormat(_ value: Double, _ digits: Int) {
        // Away from ties, the rounding mode does not matter.
        #expect(fixed(value, digits: digits) == String(format: "%.\(digits)f", value))
    }

    @Test func fixedRoundsHalfAwayFromZero() {
        #expect(fixed(0.125, digits: 2) == "0.13")
        #expect(fixed(2.5, digits: 0) == "3")
        #expect(fixed(.infinity, digits: 1) == "inf")
    }

    @Test(arguments: [
        ("a\r\nb", "\n", "\\n"), ("x&amp;y&amp;", "&amp;", "&"), ("none", "z", "y"), ("aaa", "aa", "b"), ("", "a", "b"),
    ])
    func replacingEveryMatchesFoundationsLiteralSearch(_ text: String, _ target: String, _ replacement: String) {
        #expect(text.replacingEvery(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
    }

    @Test(arguments: [
        ("a\r\nb", "\n"), ("s3://bucket/x", "://"), ("!{timestamp:yyyy}!{firehose:random-string}", "!{"), ("abcabd", "abd"),
        ("aaab", "aab"), ("short", "longer than it"), ("value ;comment", " ;"), ("", "x"), ("<Error><Code>A</Code>", "</Code>"),
        ("e\u{301}x", "\u{301}"),
    ])
    func firstRangeOfTextMatchesFoundationsLiteralSearch(_ text: String, _ target: String) {
        let ours = text.firstRange(ofText: target)
        let foundation = text.range(of: target, options: .literal)
        #expect(
            ours.map { text.unicodeScalars.distance(from: text.startIndex, to: $0.lowerBound) }
                == foundation.map { text.unicodeScalars.distance(from: text.startIndex, to: $0.lowerBound) })
        #expect(ours.map { String(text.unicodeScalars[$0]) } == foundation.map { String(text.unicodeScalars[$0]) })
        #expect(text.containsText(target) == (foundation != nil))
        #expect(text.dropFirst().firstRange(ofText: target) == text.dropFirst().range(of: target, options: .literal))
    }

    @Test(arguments: ["/a/b/c.json", "/a/b/", "/a", "/", "./data/tweets/.checkpoint.json"])
    func pathTextMatchesNSString(_ path: String) {
        #expect(PathText.parent(of: path) == (path as NSString).deletingLastPathComponent)
        #expect(PathText.lastComponent(of: path) == (path as NSString).lastPathComponent)
    }

    /// (This toolchain's NSString traps on paths without a slash, so these are spelled out.)
    @Test(arguments: [("", "", ""), ("a", "", "a"), ("a/b", "a", "b"), ("data//x.tmp", "data", "x.tmp")])
    func relativePathsSplitAtTheLastSlash(_ path: String, _ parent: String, _ last: String) {
        #expect(PathText.parent(of: path) == parent)
        #expect(PathText.lastComponent(of: path) == last)
    }

    @Test func aFileErrorReadsAsTheSystemsReasonNotAnErrorDump() throws {
        let missing = "/proc/self/no-such-folder/file"
        let error = #expect(throws: (any Error).self) {
            try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        }
        let reason = fileErrorReason(try #require(error))
        #expect(reason == "No such file or directory" || reason == "Permission denied" || reason == "Operation not permitted")
        #expect(fileErrorReason(FakeFailure(description: "something else")) == "something else")
    }

    @Test func aThreadRunsItsBody() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            do {
                try startThread(name: "test") { done.resume() }
            } catch {
                Issue.record("\(error)")
                done.resume()
            }
        }
    }

    @Test func theStateDirectoryDefaultFollowsTMPDIRLikeNSTemporaryDirectory() {
        #expect(Config.temporaryDirectory([:]) == "/tmp/")
        #expect(Config.temporaryDirectory(["TMPDIR": ""]) == "/tmp/")
        #expect(Config.temporaryDirectory(["TMPDIR": "/var/tmp"]) == "/var/tmp/")
        #expect(Config.temporaryDirectory(["TMPDIR": "/scratch/"]) == "/scratch/")
    }
}

@Suite("Error bodies read leniently")
struct JSONStringMembersTests {
    @Test func anXAPIProblemKeepsTheTextEvenWhenSomeMembersAreNotStrings() {
        let body =
            #"{"title":"Invalid Request","detail":42,"errors":[{"message":"bad since_id"},"not an object",{"detail":"d"},{"message":7}],"type":null}"#
        let problem = APIProblem(body: Array(body.utf8))
        #expect(problem.title == "Invalid Request")
        #expect(problem.detail == nil)
        #expect(problem.messages == ["bad since_id", "d"])
    }

    @Test func aBodyThatIsNotAJSONObjectIsShownAsText() {
        #expect(APIProblem(body: Array("upstream connect error".utf8)).detail == "upstream connect error")
        #expect(APIProblem(body: Array("[1,2]".utf8)).detail == "[1,2]")
        #expect(APIProblem(body: []).summary == "(no error text in the response)")
    }

    @Test func firehoseErrorsComeFromTheJSONBodyOrTheHeader() {
        let json = HTTPResponse(
            status: 400, headers: [("x-amzn-RequestId", "req-1")],
            body: Array(#"{"__type":"com.amazonaws#ResourceNotFoundException","message":"Stream tweets not found","extra":{"a":1}}"#.utf8))
        let parsed = FirehoseErrorResponse(json)
        #expect(parsed.code == "ResourceNotFoundException")
        #expect(parsed.message == "Stream tweets not found")
        #expect(parsed.requestID == "req-1")
        let lower = FirehoseErrorResponse(HTTPResponse(status: 400, headers: [], body: Array(#"{"code":"X","Message":"M"}"#.utf8)))
        #expect(lower.code == "X" && lower.message == "M")
    }
}
