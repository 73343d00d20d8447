import FoundationEssentials

/// A `GET /2/tweets/counts/recent` answer: how many posts matched the query in each time bucket.
/// Reads no posts, so it costs nothing under pay-per-use.
///
/// Parsed leniently: `tweet_count` and `total_tweet_count` may be numbers or strings, `meta` may
/// be missing (the total is then the buckets' sum), buckets without a readable start, end or
/// count are left out.
public struct CountsReport: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var start: Date
        public var end: Date
        public var posts: Int

        public init(start: Date, end: Date, posts: Int) {
            self.start = start
            self.end = end
            self.posts = posts
        }
    }

    /// Oldest first.
    public var buckets: [Bucket]
    /// `meta.total_tweet_count`, or the sum of the buckets when the API left it out.
    public var total: Int

    public init(buckets: [Bucket], total: Int? = nil) {
        self.buckets = buckets.sorted { $0.start < $1.start }
        self.total = total ?? buckets.reduce(0) { $0 + $1.posts }
    }

    public init(body: [UInt8]) throws(CountsParseError) {
        let document: CountsDocument
        do {
            document = try JSONDecoder().decode(CountsDocument.self, from: Data(body))
        } catch {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            throw CountsParseError(description: "the counts answer is not a JSON object (\(body.count) bytes, starting \(text))")
        }
        let buckets = (document.data ?? []).compactMap { item -> Bucket? in
            guard let start = item.start.flatMap(parseRFC3339), let end = item.end.flatMap(parseRFC3339), let posts = item.tweetCount?.value
            else { return nil }
            return Bucket(start: start, end: end, posts: posts)
        }
        self.init(buckets: buckets, total: document.meta?.totalTweetCount?.value)
    }
}

public struct CountsParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

private struct CountsDocument: Decodable {
    struct Item: Decodable {
        var start: String?
        var end: String?
        var tweetCount: LenientCount?

        enum CodingKeys: String, CodingKey {
            case start, end
            case tweetCount = "tweet_count"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            start = try? container.decode(String.self, forKey: .start)
            end = try? container.decode(String.self, forKey: .end)
            tweetCount = try? container.decode(LenientCount.self, forKey: .tweetCount)
        }
    }

    struct Meta: Decodable {
        var totalTweetCount: LenientCount?

        enum CodingKeys: String, CodingKey { case totalTweetCount = "total_tweet_count" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            totalTweetCount = try? container.decode(LenientCount.self, forKey: .totalTweetCount)
        }
    }

    var data: [Item]?
    var meta: Meta?

    enum CodingKeys: String, CodingKey { case data, meta }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try? container.decode([Item].self, forKey: .data)
        meta = try? container.decode(Meta.self, forKey: .meta)
    }
}

/// A whole number the X API sends as a JSON number or as a string of digits ("43435"), as its
/// usage and counts documentation shows both.
struct LenientCount: Decodable, Sendable, Equatable {
    var value: Int

    init(_ value: Int) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else if let number = try? container.decode(Double.self), number.isFinite, abs(number) < 9e15 {
            value = Int(number.rounded())
        } else if let text = try? container.decode(String.self), let number = Int(text.trimmingWhitespace()) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a whole number or a string of digits")
        }
    }
}
