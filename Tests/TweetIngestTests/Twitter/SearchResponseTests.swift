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

    @Test func monthlyCapBodyWithRequestsLeftIsAMonthlyProductCap() throws {
        let response = try Fixtures.errorResponse("http429_usage_capped_monthly.json")
        #expect(response.header("x-rate-limit-remaining") == "39999")
        guard case .usageCapped(let cap) = SearchResponse(response) else {
            Issue.record("expected .usageCapped, got \(SearchResponse(response))")
            return
        }
        #expect(cap.period == .monthly)
        #expect(cap.scope == "Product")
        #expect(cap.detail.contains("Usage cap exceeded: Monthly product cap"))
    }

    @Test func dailyCapBodyWithNothingLeftInTheWindowIsStillACap() throws {
        let response = try Fixtures.errorResponse("http429_usage_capped_daily_remaining0.EXAMPLE.json")
        #expect(response.header("x-rate-limit-remaining") == "0")
        #expect(response.header("x-rate-limit-reset") != nil)
        guard case .usageCapped(let cap) = SearchResponse(response) else {
            Issue.record("expected .usageCapped, got \(SearchResponse(response))")
            return
        }
        #expect(cap.period == .daily)
        #expect(cap.scope == "Account")
        #expect(cap.description.contains("Daily usage cap (scope Account)"))
    }

    @Test func capIsRecognisedByTitleAloneOrByTypeAlone() {
        let byTitle = HTTPResponse(
            status: 429, headers: [("x-rate-limit-remaining", "0")], body: Array(#"{"title":"UsageCapExceeded","period":"Monthly"}"#.utf8))
        let byType = HTTPResponse(
            status: 429, headers: [("x-rate-limit-remaining", "0")],
            body: Array(#"{"type":"https://api.twitter.com/2/problems/usage-capped","scope":"Account"}"#.utf8))
        guard case .usageCapped(let first) = SearchResponse(byTitle), case .usageCapped(let second) = SearchResponse(byType) else {
            Issue.record("both must be caps")
            return
        }
        #expect(first.period == .monthly && first.scope == nil)
        #expect(second.period == .unknown && second.scope == "Account")
    }

    @Test func silentBodyWithRequestsLeftIsACapOfUnknownPeriod() {
        let response = HTTPResponse(
            status: 429, headers: [("x-rate-limit-remaining", "12")], body: Array(#"{"title":"Too Many Requests"}"#.utf8))
        guard case .usageCapped(let cap) = SearchResponse(response) else {
            Issue.record("expected .usageCapped")
            return
        }
        #expect(cap.period == .unknown)
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
