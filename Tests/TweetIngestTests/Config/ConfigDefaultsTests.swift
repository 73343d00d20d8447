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
        #expect(config.twitter.apiURL == "https://api.x.com")
        #expect(config.twitter.settleSeconds == 30)
        #expect(config.twitter.maxPostsPerDay == nil)
        #expect(config.twitter.pricePerPostRead == 0.005)
        #expect(config.twitter.pricePerUserRead == 0.010)
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
        for field in ["note_tweet", "edit_controls", "withheld", "display_text_range"] {
            #expect(tweetFields.contains(Substring(field)), "tweet.fields lacks \(field)")
        }
        #expect(
            twitter.userFields
                == "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,verified_type,withheld"
        )
        #expect(
            twitter.mediaFields == "alt_text,duration_ms,height,media_key,preview_image_url,type,url,width,variants,public_metrics")
        #expect(twitter.pollFields == "duration_minutes,end_datetime,id,options,voting_status")
        #expect(twitter.placeFields == "contained_within,country,country_code,full_name,geo,id,name,place_type")
        #expect(
            twitter.expansions
                == "author_id,attachments.media_keys,attachments.poll_ids,geo.place_id,referenced_tweets.id,referenced_tweets.id.author_id"
        )
    }

    @Test func defaultFieldsAreNamesTheAPIKnows() throws {
        let spec = try Fixtures.object("openapi_2.159_search_recent_subset.json")
        let parameters = try #require((spec["components"] as? [String: Any])?["parameters"] as? [String: Any])
        func allowed(_ name: String) throws -> Set<String> {
            let parameter = try #require(parameters[name] as? [String: Any])
            let items = try #require((parameter["schema"] as? [String: Any])?["items"] as? [String: Any])
            return Set(try #require(items["enum"] as? [String]))
        }
        let twitter = try Config(environment: [:]).twitter
        let lists = [
            ("TweetFieldsParameter", twitter.tweetFields), ("UserFieldsParameter", twitter.userFields),
            ("MediaFieldsParameter", twitter.mediaFields), ("PollFieldsParameter", twitter.pollFields),
            ("PlaceFieldsParameter", twitter.placeFields), ("TweetExpansionsParameter", twitter.expansions),
        ]
        for (parameter, list) in lists {
            let known = try allowed(parameter)
            for name in list.split(separator: ",") {
                #expect(known.contains(String(name)), "\(name) is not in \(parameter)")
            }
        }
    }

    @Test func takesTheNewSourceSettings() throws {
        let twitter = try Config(environment: [
            "TWITTER_SETTLE_SECONDS": "10", "TWITTER_MAX_POSTS_PER_DAY": " 5000 ", "TWITTER_PRICE_PER_POST_READ": "0.0025",
            "TWITTER_PRICE_PER_USER_READ": "0", "TWITTER_MEDIA_FIELDS": "media_key,url",
        ]).twitter
        #expect(twitter.settleSeconds == 10)
        #expect(twitter.maxPostsPerDay == 5000)
        #expect(twitter.pricePerPostRead == 0.0025)
        #expect(twitter.pricePerUserRead == 0)
        #expect(twitter.mediaFields == "media_key,url")
    }

    @Test func checkConfigListsEverySourceSetting() throws {
        let summary = try Config(environment: ["TWITTER_MAX_POSTS_PER_DAY": "100"]).summary
        let shown = Dictionary(summary.map { ($0.0.rawValue, $0.1) }, uniquingKeysWith: { first, _ in first })
        #expect(shown["TWITTER_SETTLE_SECONDS"] == "30")
        #expect(shown["TWITTER_MAX_POSTS_PER_DAY"] == "100")
        #expect(shown["TWITTER_PRICE_PER_POST_READ"] == "0.005")
        #expect(shown["TWITTER_PRICE_PER_USER_READ"] == "0.01")
        #expect(shown["TWITTER_MEDIA_FIELDS"] == Config.defaultMediaFields)
        #expect(shown["TWITTER_POLL_FIELDS"] == Config.defaultPollFields)
        #expect(shown["TWITTER_PLACE_FIELDS"] == Config.defaultPlaceFields)
        let unset = try Config(environment: [:]).summary.first { $0.0 == .twitterMaxPostsPerDay }?.1
        #expect(unset == "(no daily budget)")
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
