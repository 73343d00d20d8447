import Foundation
import Testing

@testable import TweetIngest

/// Rate limits, retries, and the answers that stop or pause polling.
@Suite("Recent search poller: failures")
struct RecentSearchPollerFailureTests {
    private func rateLimitHeaders(remaining: Int, reset: Date) -> [(name: String, value: String)] {
        [
            ("x-rate-limit-limit", "450"), ("x-rate-limit-remaining", "\(remaining)"),
            ("x-rate-limit-reset", "\(Int(reset.timeIntervalSince1970))"),
        ]
    }

    @Test func tooManyRequestsSleepsUntilTheResetAndRetriesTheSameRequest() async throws {
        let reset = FakeWallClock.start.addingTimeInterval(2)
        var harness = try PollerHarness([
            .ok(Pages.page(ids: [30], nextToken: "t1")),
            .response(try Fixtures.errorResponse("http429_too_many_requests.json", headers: rateLimitHeaders(remaining: 0, reset: reset))),
            .ok(Pages.page(ids: [29])),
        ])
        let start = harness.clock.now
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 2, records: 2))
        let slept = try #require(harness.sleep.durations.first)
        #expect(harness.sleep.durations.count == 1)
        #expect(start.addingTimeInterval(slept) >= reset)
        #expect(start.addingTimeInterval(slept) <= reset.addingTimeInterval(2))
        #expect(harness.client.requests[1] == harness.client.requests[2])
        #expect(harness.sentParameters[2]["next_token"] == "t1")
    }

    @Test func waitsForTheWindowBeforeTheNextPageWhenARecordedPageUsedItUp() async throws {
        let reset = FakeWallClock.start.addingTimeInterval(30)
        var harness = try PollerHarness([
            .ok(Pages.page(ids: [30], nextToken: "t1"), headers: rateLimitHeaders(remaining: 0, reset: reset)), .ok(Pages.page(ids: [29])),
        ])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 2, records: 2))
        #expect(harness.sleep.durations.count == 1)
        #expect(harness.sleep.durations.allSatisfy { (30...32).contains($0) })
    }

    @Test func serverErrorIsRetriedWithBackoff() async throws {
        var harness = try PollerHarness([.status(503, body: #"{"title":"Service Unavailable"}"#), .ok(Pages.page(ids: [30, 29]))])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 1, records: 2))
        #expect(harness.client.requests.count == 2)
        #expect(harness.client.requests[0] == harness.client.requests[1])
        #expect(harness.sleep.durations == [Backoff().delay(attempt: 1, unit: 0.5)])
        #expect(harness.sleep.durations.allSatisfy { $0 > 0 })
    }

    @Test func transportErrorsAreRetriedWithGrowingDelays() async throws {
        var harness = try PollerHarness([
            .dropped(), .transportError(HTTPTransportError(kind: .timedOut, message: "Operation timed out after 30000 ms")),
            .transportError(HTTPTransportError(kind: .connectionFailed, message: "Could not resolve host")), .ok(Pages.page(ids: [30])),
        ])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 1, records: 1))
        #expect(harness.client.requests.count == 4)
        let delays = harness.sleep.durations
        #expect(delays.count == 3)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func truncatedOKBodyIsRetried() async throws {
        let page = Pages.page(ids: [30, 29])
        var harness = try PollerHarness([.ok(Array(page.prefix(page.count - 5))), .ok(page)])
        let outcome = try await harness.runCycle()
        #expect(outcome == .completed(pages: 1, records: 2))
        #expect(harness.client.requests.count == 2)
        #expect(harness.taken.count == 1)
        #expect(harness.sleep.durations.count == 1)
    }

    @Test(arguments: [("http401_unauthorized.json", 401), ("http403_client_forbidden_client_not_enrolled.json", 403)])
    func rejectedTokenStopsWithNotAuthorized(file: String, status: Int) async throws {
        var harness = try PollerHarness([.response(try Fixtures.errorResponse(file))])
        let error = try await #require(throws: SearchError.self) { try await harness.runCycle() }
        guard case .notAuthorized(let got, _) = error else {
            Issue.record("expected .notAuthorized, got \(error)")
            return
        }
        #expect(got == status)
        #expect(error.description.contains("TWITTER_BEARER_TOKEN"))
        #expect(!error.description.contains(PollerHarness.token))
        #expect(harness.client.requests.count == 1)
    }

    @Test func invalidQueryStopsWithBadRequest() async throws {
        var harness = try PollerHarness([.response(try Fixtures.errorResponse("http400_invalid_query.json"))])
        let error = try await #require(throws: SearchError.self) { try await harness.runCycle() }
        guard case .badRequest(let text) = error else {
            Issue.record("expected .badRequest, got \(error)")
            return
        }
        #expect(text.contains("Ambiguous use of and as a keyword"))
        #expect(harness.client.requests.count == 1)
        #expect(harness.sleep.durations.isEmpty)
    }

    @Test func usageCapPausesWithoutSpinning() async throws {
        var harness = try PollerHarness([.response(try Fixtures.errorResponse("http429_usage_capped_monthly.json"))])
        let now = harness.clock.now
        let outcome = try await harness.runCycle()
        guard case .paused(let until, let reason) = outcome else {
            Issue.record("expected .paused, got \(outcome)")
            return
        }
        #expect(until >= now.addingTimeInterval(3600))
        #expect(reason.contains("Usage cap exceeded"))
        #expect(harness.client.requests.count == 1)
        #expect(harness.sleep.durations.isEmpty)
    }

    @Test func bearerTokenNeverAppearsInAnErrorOrOutcome() async throws {
        var texts: [String] = []
        for file in ["http401_unauthorized.json", "http403_client_forbidden_client_not_enrolled.json", "http400_invalid_query.json"] {
            var harness = try PollerHarness([.response(try Fixtures.errorResponse(file))])
            do {
                _ = try await harness.runCycle()
                Issue.record("\(file) must stop the cycle")
            } catch {
                texts += [String(describing: error), String(reflecting: error)]
            }
        }
        var failing = try PollerHarness(Array(repeating: .status(503), count: 5))
        texts.append(String(describing: try await failing.runCycle()))
        var capped = try PollerHarness([.response(try Fixtures.errorResponse("http429_usage_capped_monthly.json"))])
        texts.append(String(describing: try await capped.runCycle()))
        #expect(texts.count == 8)
        #expect(texts.allSatisfy { !$0.contains(PollerHarness.token) && !$0.contains("PollerSecretToken") })
    }

    @Test func cancelledTransferEndsTheCycleAsCancellation() async throws {
        var harness = try PollerHarness([.transportError(HTTPTransportError(kind: .cancelled, message: "aborted"))])
        await #expect(throws: CancellationError.self) { try await harness.runCycle() }
        #expect(harness.client.requests.count == 1)
    }
}
