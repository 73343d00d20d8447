import Foundation
import Testing

@testable import TweetIngest

@Suite("Search cursor")
struct SearchCursorTests {
    private let start = Date(timeIntervalSince1970: 1_767_323_045)

    private func id(_ value: UInt64) -> TweetID { TweetID(value) }
    private func meta(newest: UInt64, oldest: UInt64, next: String? = nil) -> PageMeta {
        PageMeta(newestID: id(newest), oldestID: id(oldest), resultCount: 10, nextToken: next)
    }
    private func parameters(_ cursor: SearchCursor) -> [String: String] {
        Dictionary(uniqueKeysWithValues: cursor.firstPageParameters(startTime: start).map { ($0.0, $0.1) })
    }

    @Test func firstPageStartsAtStartTimeUntilASinceIDIsKnown() {
        #expect(parameters(SearchCursor()) == ["start_time": "2026-01-02T03:04:05Z"])
        #expect(parameters(SearchCursor(sinceID: id(500))) == ["since_id": "500"])
    }

    @Test func nextSinceIDComesOnlyFromTheFirstPagesNewestID() {
        var cursor = SearchCursor(sinceID: id(100))
        cursor = cursor.advanced(by: meta(newest: 400, oldest: 300, next: "p2"), startTime: nil)
        #expect(cursor.sinceID == id(100), "the cycle is not done: since_id must not move yet")
        cursor = cursor.advanced(by: meta(newest: 299, oldest: 200, next: "p3"), startTime: nil)
        cursor = cursor.advanced(by: meta(newest: 199, oldest: 101), startTime: nil)
        #expect(cursor == SearchCursor(sinceID: id(400)))
    }

    @Test func singlePageCycleMovesSinceIDToItsNewest() {
        let cursor = SearchCursor(sinceID: id(100)).advanced(by: meta(newest: 150, oldest: 101), startTime: nil)
        #expect(cursor == SearchCursor(sinceID: id(150)))
    }

    @Test func interruptedCycleKeepsAPendingGapBelowTheOldestTaken() {
        let cursor = SearchCursor()
            .advanced(by: meta(newest: 400, oldest: 300, next: "p2"), startTime: start)
            .advanced(by: meta(newest: 299, oldest: 250, next: "p3"), startTime: start)
        #expect(cursor.sinceID == nil)
        #expect(cursor.pending == SearchCursor.Pending(untilID: id(250), newestID: id(400), startTime: start))
    }

    @Test func resumingTheGapSendsSinceAndUntilAndEndsAtTheGapsNewest() {
        var cursor = SearchCursor(sinceID: id(100))
            .advanced(by: meta(newest: 400, oldest: 300, next: "p2"), startTime: nil)
        #expect(parameters(cursor) == ["since_id": "100", "until_id": "300"])
        cursor = cursor.advanced(by: meta(newest: 299, oldest: 200, next: "p2b"), startTime: nil)
        #expect(cursor.pending?.untilID == id(200))
        #expect(cursor.sinceID == id(100))
        cursor = cursor.advanced(by: meta(newest: 199, oldest: 101), startTime: nil)
        #expect(cursor == SearchCursor(sinceID: id(400)))
    }

    @Test func resumingAGapWithoutSinceIDReusesTheOriginalStartTime() {
        let original = start.addingTimeInterval(-3600)
        let cursor = SearchCursor().advanced(by: meta(newest: 400, oldest: 300, next: "p2"), startTime: original)
        #expect(parameters(cursor) == ["start_time": "2026-01-02T02:04:05Z", "until_id": "300"])
    }

    @Test func emptyResultLeavesTheCursorUnchanged() {
        let cursor = SearchCursor(sinceID: id(100))
        #expect(cursor.advanced(by: PageMeta(resultCount: 0), startTime: nil) == cursor)
        #expect(SearchCursor().advanced(by: PageMeta(resultCount: 0), startTime: start) == SearchCursor())
    }

    @Test func emptyLastPageOfAGapClosesIt() {
        let cursor = SearchCursor(sinceID: id(100))
            .advanced(by: meta(newest: 400, oldest: 300, next: "p2"), startTime: nil)
            .advanced(by: PageMeta(resultCount: 0), startTime: nil)
        #expect(cursor == SearchCursor(sinceID: id(400)))
    }
}
