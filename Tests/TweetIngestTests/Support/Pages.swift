import Foundation

@testable import TweetIngest

/// Small synthetic recent-search pages, for tests where the shape matters more than realism.
enum Pages {
    /// A page holding tweets with these ids (newest first, as the API orders them), each by
    /// user `u<id>` who is in `includes.users`, and `meta` to match.
    static func page(ids: [UInt64], nextToken: String? = nil, text: String = "tweet") -> [UInt8] {
        guard let newest = ids.max(), let oldest = ids.min() else { return empty(nextToken: nextToken) }
        let tweets = ids.map { #"{"id":"\#($0)","text":"\#(text) \#($0)","author_id":"u\#($0)"}"# }
        let users = ids.map { #"{"id":"u\#($0)","username":"user\#($0)"}"# }
        var meta = #""newest_id":"\#(newest)","oldest_id":"\#(oldest)","result_count":\#(ids.count)"#
        if let nextToken { meta += #","next_token":"\#(nextToken)""# }
        let json =
            #"{"data":[\#(tweets.joined(separator: ","))],"includes":{"users":[\#(users.joined(separator: ","))]},"meta":{\#(meta)}}"#
        return Array(json.utf8)
    }

    /// What the API answers when nothing matched.
    static func empty(nextToken: String? = nil) -> [UInt8] {
        Array(#"{"meta":{"result_count":0}}"#.utf8)
    }

    static let context = IngestContext(
        query: "#swift lang:en", fetchedAt: Date(timeIntervalSince1970: 1_767_323_045.678), source: .recentSearch)

    /// The page normalized; throws the `PageError` when it is not a page.
    static func normalized(_ page: [UInt8], context: IngestContext = context) throws -> NormalizedPage {
        try PageNormalizer.normalize(page, context: context).get()
    }
}

/// `\n`-terminated JSON lines, split; the last element is what followed the last `\n`.
func splitLines(_ bytes: [UInt8]) -> [[UInt8]] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
}

/// Each `\n`-terminated line parsed as a JSON object.
func jsonLines(_ bytes: [UInt8]) throws -> [[String: Any]] {
    try splitLines(bytes).dropLast().map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw FixtureError(description: "a line is not a JSON object: \(String(decoding: line, as: UTF8.self))")
        }
        return object
    }
}

/// JSON values compared by their canonical form (sorted keys), so two parses of the same text
/// are equal whatever Foundation types it picked for numbers and booleans on this platform.
func jsonEqual(_ lhs: Any?, _ rhs: Any?) -> Bool {
    func canonical(_ value: Any?) -> Data? {
        try? JSONSerialization.data(withJSONObject: ["value": value ?? NSNull()], options: [.sortedKeys])
    }
    guard let l = canonical(lhs), let r = canonical(rhs) else { return false }
    return l == r
}

/// The decoded `rawData` of a Firehose-style error record.
func rawData(of errorRecord: [String: Any]) -> [UInt8]? {
    (errorRecord["rawData"] as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init)
}
