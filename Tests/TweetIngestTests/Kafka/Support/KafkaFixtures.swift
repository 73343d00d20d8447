import Foundation

@testable import TweetIngest

struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// Runs `body`, failing if it takes longer than `seconds` (the sleep is only the deadline).
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Objects made of the recorded twarc pages, as `Delivery` would hand them to a sink.
enum KafkaFixtures {
    /// One object per recorded twarc page, holding the page's records.
    static func objects() throws -> [DeliveryObject] {
        try Fixtures.twarcPages.enumerated().map { number, name in
            let page = try Pages.normalized(
                Fixtures.bytes(name), context: IngestContext(query: nil, fetchedAt: Date(timeIntervalSince1970: 0), source: .replay))
            return DeliveryObject(key: "tweets-1-page-\(number)", body: page.records, recordCount: page.recordCount)
        }
    }

    /// Error records (Firehose-style) for entries that could not be made into records.
    static func errorObject() throws -> DeliveryObject {
        let page = try Pages.normalized(Array(#"{"data":[{"text":"no id"},"just a string",{"id":42}],"meta":{"result_count":3}}"#.utf8))
        return DeliveryObject(key: "errors/tweets-1-bad-page", body: page.errorRecords, recordCount: page.errorCount, isErrorOutput: true)
    }

    /// The lines of an object's body, without their newlines.
    static func lines(_ object: DeliveryObject) -> [[UInt8]] {
        object.body.split(separator: UInt8(ascii: "\n")).map(Array.init)
    }

    /// The top-level `id` of a record line, read with Foundation (independently of the sink).
    static func tweetID(_ line: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])?["id"] as? String
    }
}
