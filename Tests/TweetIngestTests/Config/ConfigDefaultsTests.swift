import Foundation
import Testing

@testable import TweetIngest

@Suite("Config defaults")
struct ConfigDefaultsTests {
    @Test func appliesFirehoseLikeDefaultsWhenNothingIsSet() throws {
        let config = try Config(environment: [:])
        #expect(config.bufferSizeMB == 5)
        #expect(config.bufferSizeBytes == 5 * 1024 * 1024)
        #expect(config.bufferIntervalSeconds == 300)
        #expect(config.twitter.maxResults == 100)
        #expect(config.twitter.pollIntervalSeconds == 60)
        #expect(config.compression == .none)
        #expect(config.streamName == "tweets")
        #expect(config.outputDirectory == "./data")
        #expect(config.twitter.apiURL == "https://api.twitter.com")
        #expect(config.twitter.startTime == .ago(seconds: 3600))
        #expect(config.twitter.bearerToken == nil)
        #expect(config.twitter.query == nil)
        #expect(config.warnings.isEmpty)
    }

    @Test func defaultFieldsAskForEverythingARecordNeeds() throws {
        let twitter = try Config(environment: [:]).twitter
        let tweetFields = Set(twitter.tweetFields.split(separator: ","))
        for field in ["created_at", "lang", "public_metrics", "author_id", "conversation_id", "entities", "referenced_tweets"] {
            #expect(tweetFields.contains(Substring(field)), "tweet.fields lacks \(field)")
        }
        let userFields = Set(twitter.userFields.split(separator: ","))
        for field in ["username", "name", "location", "verified", "public_metrics"] {
            #expect(userFields.contains(Substring(field)), "user.fields lacks \(field)")
        }
        #expect(twitter.expansions == "author_id")
    }

    @Test(arguments: [
        ("BUFFER_SIZE_MB", "1"), ("BUFFER_SIZE_MB", "128"), ("BUFFER_INTERVAL_SECONDS", "0"),
        ("BUFFER_INTERVAL_SECONDS", "900"), ("TWITTER_MAX_RESULTS", "10"), ("TWITTER_MAX_RESULTS", " 100 "),
        ("COMPRESSION", "GZIP"), ("STREAM_NAME", "tweets_v2.prod-1"),
    ])
    func acceptsValuesAtTheEdgeOfTheirRange(variable: String, value: String) throws {
        let config = try Config(environment: [variable: value])
        let shown = config.summary.first { $0.0.rawValue == variable }?.1
        #expect(shown == value.trimmingCharacters(in: .whitespaces).lowercased() || shown == value)
    }

    @Test func takesEveryValueGivenInTheEnvironment() throws {
        let config = try Config(environment: [
            "TWITTER_BEARER_TOKEN": "token", "TWITTER_QUERY": "  #swift lang:en  ", "TWITTER_API_URL": "http://127.0.0.1:8080/",
            "BUFFER_SIZE_MB": "64", "COMPRESSION": "gzip", "OUTPUT_DIR": "/var/data", "STREAM_NAME": "swift",
        ])
        #expect(config.twitter.query == "#swift lang:en")
        #expect(config.twitter.apiURL == "http://127.0.0.1:8080")
        #expect(config.bufferSizeBytes == 64 * 1024 * 1024)
        #expect(config.compression == .gzip)
        #expect(config.compression.fileExtension == ".gz")
        #expect(config.outputDirectory == "/var/data")
        #expect(config.streamName == "swift")
        #expect(config.warnings.isEmpty, "loopback http must not warn: \(config.warnings)")
    }
}
