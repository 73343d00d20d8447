import Foundation
import Testing

@testable import TweetIngest

@Suite("Recent search requests")
struct RecentSearchRequestTests {
    private let token = "AAAA%2Fbearer-token-for-tests"

    private func builder(query: String = "#swift lang:en", environment: [String: String] = [:]) throws -> RecentSearchRequestBuilder {
        let config = try Config(environment: environment)
        return RecentSearchRequestBuilder(config: config.twitter, bearerToken: Secret(token), query: query)
    }

    @Test func sendsTheBearerTokenInTheAuthorizationHeader() throws {
        let request = try builder().request(bounds: [], nextToken: nil)
        #expect(request.method == "GET")
        #expect(request.header("authorization") == "Bearer \(token)")
        #expect(request.header("accept") == "application/json")
        #expect(!request.url.contains(token))
        #expect(request.timeoutSeconds == 30)
    }

    @Test func percentEncodesTheQuery() throws {
        let query = "#swift from:apple (a OR b) c+d é&x=1"
        let request = try builder(query: query).request(bounds: [], nextToken: nil)
        #expect(request.url.hasPrefix("https://api.x.com/2/tweets/search/recent?query="))
        #expect(request.url.contains("query=%23swift%20from%3Aapple%20%28a%20OR%20b%29%20c%2Bd%20%C3%A9%26x%3D1&"))
        #expect(request.queryParameters["query"] == query)
    }

    @Test func asksForTheConfiguredFieldsAndPageSize() throws {
        let request = try builder(environment: ["TWITTER_MAX_RESULTS": "50", "TWITTER_API_URL": "http://127.0.0.1:9000"])
            .request(bounds: [], nextToken: nil)
        let parameters = request.queryParameters
        #expect(request.url.hasPrefix("http://127.0.0.1:9000/2/tweets/search/recent?"))
        #expect(parameters["max_results"] == "50")
        #expect(parameters["tweet.fields"] == Config.defaultTweetFields)
        #expect(parameters["user.fields"] == Config.defaultUserFields)
        #expect(parameters["expansions"] == Config.defaultExpansions)
        #expect(request.url.contains("tweet.fields=attachments%2Cauthor_id%2C"))
    }

    @Test func everyPageOfACycleHasTheSameBoundsAndOnlyLaterPagesANextToken() throws {
        let builder = try builder()
        let bounds = SearchCursor(sinceID: TweetID(1_380_242_611_781_386_245)).firstPageParameters(startTime: Date())
        let first = builder.request(bounds: bounds, nextToken: nil).queryParameters
        let second = builder.request(bounds: bounds, nextToken: "b26v89c19zqg8o3fpds60ssjif02fq74br3502of8hmrh").queryParameters
        #expect(first["since_id"] == "1380242611781386245")
        #expect(second["since_id"] == "1380242611781386245")
        #expect(first["next_token"] == nil)
        #expect(second["next_token"] == "b26v89c19zqg8o3fpds60ssjif02fq74br3502of8hmrh")
        #expect(first["start_time"] == nil && second["start_time"] == nil)
    }
}
