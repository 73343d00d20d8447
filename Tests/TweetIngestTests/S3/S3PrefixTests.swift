import Foundation
import Testing

@testable import TweetIngest

/// Firehose's custom-prefix rules, with its documented examples at 10:30 UTC on 2018-08-27.
@Suite("S3 prefixes (Firehose expressions)")
struct S3PrefixTests {
    static let arrival = parseRFC3339("2018-08-27T10:30:05.123Z")!

    static func evaluate(_ text: String, role: S3Prefix.Role = .data, type: String = "processing-failed") throws -> String {
        try S3Prefix(text, role: role).evaluate(arrival: arrival, random: "seed", errorOutputType: type)
    }

    @Test(
        "expressions evaluate like Firehose's examples",
        arguments: [
            (
                "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                "myPrefix/year=2018/month=08/day=27/hour=10/"
            ),
            ("dt=!{timestamp:yyyy'-'MM'-'dd}/h=!{timestamp:HH}/", "dt=2018-08-27/h=10/"),
            ("!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/", "year=2018/month=08/day=27/hour=10/"),
            ("t/!{timestamp:yyyy-MM-dd HH:mm:ss}/", "t/2018-08-27 10:30:05/"),
            ("t/!{timestamp:yy/M/d/H/m/s}/", "t/18/8/27/10/30/5/"),
            ("t/!{timestamp:MMM MMMM EEE EEEE D}/", "t/Aug August Mon Monday 239/"),
            ("t/!{timestamp:SSS}/!{timestamp:''HH''}/", "t/123/'10'/"),
            ("t/!{timestamp:'o''clock' HH}/", "t/o'clock 10/"),
        ])
    func timestampExpressions(text: String, evaluated: String) throws {
        #expect(try Self.evaluate(text) == evaluated)
    }

    @Test("a prefix without a timestamp expression gets yyyy/MM/dd/HH/ appended")
    func appendsHourPath() throws {
        #expect(try Self.evaluate("") == "2018/08/27/10/")
        #expect(try Self.evaluate("myFirehosePrefix/") == "myFirehosePrefix/2018/08/27/10/")
        let random = try Self.evaluate("rand=!{firehose:random-string}/")
        #expect(random.hasPrefix("rand="))
        #expect(random.hasSuffix("/2018/08/27/10/"))
    }

    @Test("random-string is 11 characters, new for each occurrence, and the same for the same seed")
    func randomString() throws {
        let prefix = try S3Prefix("!{firehose:random-string}/!{firehose:random-string}/!{timestamp:yyyy}/", role: .data)
        let first = prefix.evaluate(arrival: Self.arrival, random: "seed-1", errorOutputType: "")
        let parts = first.split(separator: "/")
        #expect(parts[0].count == 11)
        #expect(parts[1].count == 11)
        #expect(parts[0] != parts[1])
        #expect(prefix.evaluate(arrival: Self.arrival, random: "seed-1", errorOutputType: "") == first)
        #expect(prefix.evaluate(arrival: Self.arrival, random: "seed-2", errorOutputType: "") != first)
    }

    @Test("the error prefix evaluates error-output-type")
    func errorOutputType() throws {
        #expect(
            try Self.evaluate("myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}", role: .error)
                == "myFirehoseFailures/processing-failed/2018/anyMonth/27")
        #expect(
            try Self.evaluate("failed/!{firehose:error-output-type}/", role: .error, type: "format-conversion-failed")
                == "failed/format-conversion-failed/2018/08/27/10/")
    }

    @Test(
        "invalid prefixes are rejected with the offending part",
        arguments: [
            ("a/!{timestamp:yyyy/MM", .data, "!{timestamp:yyyy/MM", "not closed"),
            ("a/!{timestamp:yyyy/QQ}/", .data, "!{timestamp:yyyy/QQ}", "'Q'"),
            ("a/!{timestamp:}/", .data, "!{timestamp:}", "empty"),
            ("a/!{timestamp:'yyyy}/", .data, "!{timestamp:'yyyy}/", "not closed"),
            ("a/!{timestamp:yyyy[MM]}/", .data, "!{timestamp:yyyy[MM]}", "reserved"),
            ("a/!{firehose:uuid}/", .data, "!{firehose:uuid}", "random-string"),
            ("a/!{firehose:error-output-type}/", .data, "!{firehose:error-output-type}", "only be used in S3_ERROR_PREFIX"),
            ("a/!{partitionKeyFromLambda:id}/", .data, "!{partitionKeyFromLambda:id}", "no Lambda"),
            ("a/!{partitionKeyFromQuery:1x}/", .data, "!{partitionKeyFromQuery:1x}", "partition key name"),
            (
                "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:k}/", .error, "!{partitionKeyFromQuery:k}",
                "only be used in S3_PREFIX"
            ),
            ("a/!{time:yyyy}/", .data, "!{time:yyyy}", "unknown namespace"),
            ("a/!{yyyy}/", .data, "!{yyyy}", "namespace:value"),
            ("errors/!{timestamp:yyyy}/", .error, "errors/!{timestamp:yyyy}/", "must contain !{firehose:error-output-type}"),
            (String(repeating: "a", count: 513), .data, String(repeating: "a", count: 513), "512"),
        ] as [(String, S3Prefix.Role, String, String)])
    func rejects(text: String, role: S3Prefix.Role, part: String, reason: String) {
        #expect {
            try S3Prefix(text, role: role)
        } throws: { error in
            guard let error = error as? S3PrefixError else { return false }
            return error.part == part && error.reason.contains(reason)
        }
    }

    @Test("a literal error prefix is allowed without error-output-type")
    func literalErrorPrefix() throws {
        #expect(try S3Prefix("failed/", role: .error).isLiteral)
    }
}

@Suite("Object key layout with Firehose prefixes")
struct S3ObjectKeyLayoutTests {
    static let arrival = parseRFC3339("2018-08-27T10:30:05Z")!

    @Test("the default layout is unchanged")
    func defaultLayout() {
        let layout = ObjectKeyLayout(streamName: "tweets", fileExtension: ".gz")
        #expect(layout.dataKey(arrival: Self.arrival, random: "r1") == "2018/08/27/10/tweets-1-2018-08-27-10-30-05-r1.gz")
        #expect(
            layout.errorKey(arrival: Self.arrival, random: "r1")
                == "errors/processing-failed/2018/08/27/10/tweets-1-2018-08-27-10-30-05-r1.gz")
    }

    @Test("literal S3 prefixes keep the default form")
    func literalPrefixes() throws {
        let layout = ObjectKeyLayout(
            prefix: try S3Prefix("raw/", role: .data), errorPrefix: try S3Prefix("failed/", role: .error), streamName: "tweets")
        #expect(layout.dataKey(arrival: Self.arrival, random: "r") == "raw/2018/08/27/10/tweets-1-2018-08-27-10-30-05-r")
        #expect(
            layout.errorKey(arrival: Self.arrival, random: "r") == "failed/processing-failed/2018/08/27/10/tweets-1-2018-08-27-10-30-05-r")
        let noErrorPrefix = ObjectKeyLayout(prefix: try S3Prefix("raw/", role: .data), errorPrefix: nil, streamName: "tweets")
        #expect(noErrorPrefix.errorKey(arrival: Self.arrival, random: "r").hasPrefix("errors/processing-failed/2018/08/27/10/"))
    }

    @Test("expressions replace the folder part; the object name stays Firehose's")
    func expressionPrefixes() throws {
        let layout = ObjectKeyLayout(
            prefix: try S3Prefix("raw/dt=!{timestamp:yyyy-MM-dd}/", role: .data),
            errorPrefix: try S3Prefix("bad/!{firehose:error-output-type}/!{timestamp:yyyy}/", role: .error), streamName: "tweets",
            fileExtension: ".gz")
        #expect(layout.dataKey(arrival: Self.arrival, random: "r") == "raw/dt=2018-08-27/tweets-1-2018-08-27-10-30-05-r.gz")
        #expect(layout.errorKey(arrival: Self.arrival, random: "r") == "bad/processing-failed/2018/tweets-1-2018-08-27-10-30-05-r.gz")
        #expect(layout.prefix == "raw/dt=")
        #expect(layout.errorPrefix == "bad/")
    }
}
