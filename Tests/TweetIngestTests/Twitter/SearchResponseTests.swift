import Foundation
import Testing

@testable import TweetIngest

/// The real error bodies in `Fixtures/twitter/errors`, classified.
@Suite("Search response classification")
struct SearchResponseTests {
    private let reset = "1767323047"

    @Test func tooManyRequestsWithNothingLeftWaitsForTheReset() throws {
        let response = try Fixtures.errorResponse(
            "http429_too_many_requests.json",
            headers: [("x-rate-limit-limit", "450"), ("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", reset)])
        #expect(SearchResponse(response) == .rateLimited(until: Date(timeIntervalSince1970: 1_767_323_047)))
    }

    @Test func tooManyRequestsWithoutHeadersStillWaits() throws {
        let response = try Fixtures.errorResponse("http429_too_many_requests.json")
        #expect(SearchResponse(response) == .rateLimited(until: nil))
    }

    @Test func tooManyRequestsWithRequestsLeftIsTheUsageCap() throws {
        let response = try Fixtures.errorResponse("http429_usage_capped_monthly.json")
        #expect(response.header("x-rate-limit-remaining") == "39999")
        guard case .usageCapped(let text) = SearchResponse(response) else {
            Issue.record("expected .usageCapped, got \(SearchResponse(response))")
            return
        }
        #expect(text.contains("Usage cap exceeded: Monthly product cap"))
    }

    @Test(arguments: [
        ("http401_unauthorized.json", 401, "Unauthorized"), ("http403_client_forbidden_client_not_enrolled.json", 403, "Client Forbidden"),
    ])
    func unauthorizedAndForbiddenAreNotAuthorized(file: String, status: Int, title: String) throws {
        guard case .notAuthorized(let got, let text) = SearchResponse(try Fixtures.errorResponse(file)) else {
            Issue.record("\(file) must classify as .notAuthorized")
            return
        }
        #expect(got == status)
        #expect(text.contains(title))
    }

    @Test func invalidQueryIsABadRequestCarryingTheAPIsMessage() throws {
        guard case .badRequest(let text) = SearchResponse(try Fixtures.errorResponse("http400_invalid_query.json")) else {
            Issue.record("expected .badRequest")
            return
        }
        #expect(text.contains("Ambiguous use of and as a keyword"))
        #expect(text.contains("Invalid Request"))
    }

    @Test func sinceIDOlderThanTheWindowIsStale() throws {
        guard case .staleSinceID(let text) = SearchResponse(try Fixtures.errorResponse("http400_since_id_older_than_7_days.EXAMPLE.json"))
        else {
            Issue.record("expected .staleSinceID")
            return
        }
        #expect(text.contains("larger than 2083157183716917248"))
    }

    @Test(arguments: [500, 502, 503, 504])
    func serverErrorsAreRetryable(status: Int) {
        let response = HTTPResponse(status: status, body: Array(#"{"title":"Service Unavailable","detail":"Service Unavailable"}"#.utf8))
        guard case .retryable(let text) = SearchResponse(response) else {
            Issue.record("\(status) must be retryable")
            return
        }
        #expect(text.hasPrefix("HTTP \(status):"))
        #expect(text.contains("Service Unavailable"))
    }

    @Test func okWithPartialErrorsIsAPage() throws {
        let response = HTTPResponse(status: 200, body: try Fixtures.bytes(Fixtures.kpopPage))
        #expect(SearchResponse(response) == .page)
    }
}
