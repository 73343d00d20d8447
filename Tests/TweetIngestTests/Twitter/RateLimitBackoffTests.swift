import Foundation
import Testing

@testable import TweetIngest

@Suite("Rate limits and backoff")
struct RateLimitBackoffTests {
    private let now = Date(timeIntervalSince1970: 1_665_183_000)

    @Test func readsTheRateLimitHeadersOfARecordedResponse() throws {
        let limit = RateLimit(try Fixtures.tweepyResponse("tweepy_search_recent_2022-10-07_client.json"))
        #expect(limit == RateLimit(limit: 450, remaining: 448, reset: Date(timeIntervalSince1970: 1_665_183_229)))
        #expect(limit.waitBeforeNextRequest(now: now) == 0)
    }

    @Test func waitsUntilJustAfterTheResetOnceNothingRemains() {
        let limit = RateLimit(limit: 450, remaining: 0, reset: now.addingTimeInterval(120))
        let wait = limit.waitBeforeNextRequest(now: now)
        #expect(wait >= 120)
        #expect(wait <= 122)
    }

    @Test func doesNotWaitWhileRequestsRemainOrOnceTheResetPassed() {
        #expect(RateLimit(limit: 450, remaining: 1, reset: now.addingTimeInterval(600)).waitBeforeNextRequest(now: now) == 0)
        #expect(RateLimit(limit: 450, remaining: 0, reset: now.addingTimeInterval(-60)).waitBeforeNextRequest(now: now) == 0)
        #expect(RateLimit().waitBeforeNextRequest(now: now) == 0)
    }

    @Test func backoffGrowsWithEachAttemptUpToTheCap() {
        let backoff = Backoff(base: 1, cap: 60)
        let delays = (1...10).map { backoff.delay(attempt: $0, unit: 0.999) }
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(delays[0] < delays[3])
        #expect(delays.allSatisfy { $0 <= 60 })
        #expect(delays.last! > 59)
        #expect(backoff.delay(attempt: 1_000_000, unit: 1) == 60)
    }

    @Test(arguments: [0.0, -1.0, 0.000_001])
    func backoffNeverReturnsZero(unit: Double) {
        let backoff = Backoff(base: 1, cap: 60)
        for attempt in 0...40 {
            #expect(backoff.delay(attempt: attempt, unit: unit) >= 0.1)
        }
    }
}
