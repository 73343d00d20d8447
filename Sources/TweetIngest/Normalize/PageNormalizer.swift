import FoundationEssentials

/// Where a page came from; written into each record's `ingest` object.
public struct IngestContext: Sendable, Equatable {
    public enum Source: String, Sendable { case recentSearch = "recent-search", replay }

    public var query: String?
    /// RFC 3339 UTC, when the page was fetched.
    public var fetchedAt: Date
    public var source: Source

    public init(query: String?, fetchedAt: Date, source: Source) {
        self.query = query
        self.fetchedAt = fetchedAt
        self.source = source
    }
}

/// The paging fields of a page's `meta` object.
public struct PageMeta: Sendable, Equatable {
    public var newestID: TweetID?
    public var oldestID: TweetID?
    public var resultCount: Int?
    public var nextToken: String?

    public init(newestID: TweetID? = nil, oldestID: TweetID? = nil, resultCount: Int? = nil, nextToken: String? = nil) {
        self.newestID = newestID
        self.oldestID = oldestID
        self.resultCount = resultCount
        self.nextToken = nextToken
    }
}

/// One page made into records: JSON lines ready to buffer, plus what could not be made into a
/// record (as Firehose-style error lines), never silently dropped.
public struct NormalizedPage: Sendable {
    /// `\n`-terminated JSON records, one per tweet.
    public var records: [UInt8] = []
    public var recordCount = 0
    /// Each record's post id and where its line ends in `records`, in page order (newest
    /// first): where a batch may be cut part way into the page, and what its cursor then claims.
    public var recordIDs: [TweetID] = []
    public var recordEnds: [Int] = []
    /// With `notingSpans`: where the records' large values are (`RecordSpan`), counted like
    /// `recordEnds`, for the Parquet shredder.
    public var spans: [RecordSpan] = []
    /// Every record's id and end are known (the normalizer's pages): a batch may be cut at any
    /// record, and the cut batch claims exactly its records.
    public var locatesRecords: Bool { recordIDs.count == recordCount && recordEnds.count == recordCount }
    /// `\n`-terminated error records for tweets that could not be made into records.
    public var errorRecords: [UInt8] = []
    public var errorCount = 0
    public var meta = PageMeta()
    /// One line per entry of the page's partial `errors[]` (the page is still used).
    public var partialErrors: [String] = []
    /// Query and retrieval time twarc stored beside the page (`__twarc`), when present.
    public var twarcQuery: String?
    public var twarcRetrievedAt: Date?
    /// Newest and oldest tweet ids actually present in `data`.
    public var newestTweetID: TweetID?
    public var oldestTweetID: TweetID?
    /// Entries of `data[]`, records and rejects alike: what the API bills as post reads.
    public var postsRead = 0
    /// Entries of `includes.tweets` (referenced posts, which may be billed as post reads).
    public var includedPostsRead = 0
    /// Entries of `includes.users` (billed as user reads).
    public var usersRead = 0
}

/// A page that is not a recent-search response at all.
public enum PageError: Error, Equatable, CustomStringConvertible {
    case malformedJSON(String)
    case notAPage(String)

    public var description: String {
        switch self {
        case .malformedJSON(let why): "the page is not valid JSON: \(why)"
        case .notAPage(let why): "the JSON is not a recent-search page: \(why)"
        }
    }
}

/// Turns a recent-search page into records: each post exactly as `twarc2 flatten` writes it from
/// the same page (expansions inlined, `{}` where the page lacks what is referenced; see
/// `Flattener`), without twarc's `__twarc`, with our `ingest` object as the last member.
public enum PageNormalizer {
    /// `notingSpans`: note where the records' large values are (`NormalizedPage.spans`), for
    /// records that become Parquet.
    public static func normalize(_ page: [UInt8], context: IngestContext, notingSpans: Bool = false) -> Result<NormalizedPage, PageError> {
        var records: [UInt8] = []
        return page.withUnsafeBufferPointer {
            normalize($0, context: context, notingSpans: notingSpans, appendingTo: &records)
        }.map { normalized in
            var page = normalized
            page.records = records
            return page
        }
    }

    /// Like `normalize(_:context:)`, from bytes in place, with the records written after what
    /// `records` already holds and left there (the result's `records` is empty, its
    /// `recordEnds` count from the first byte written): the batch being filled takes a page
    /// without a copy. Nothing is written when the page is unusable.
    static func normalize(
        _ bytes: UnsafeBufferPointer<UInt8>, context: IngestContext, notingSpans: Bool = false, appendingTo records: inout [UInt8]
    ) -> Result<NormalizedPage, PageError> {
        do {
            let layout = try PageLayout.scan(bytes)
            var result = NormalizedPage()
            // Written in the caller's storage (nothing below throws), which takes it back at the end.
            swap(&result.records, &records)
            let base = result.records.count
            result.meta = layout.meta
            result.partialErrors = layout.partialErrors
            result.twarcQuery = layout.twarcQuery
            result.twarcRetrievedAt = layout.twarcRetrievedAt
            result.postsRead = layout.tweets.count
            result.includedPostsRead = layout.includedPostsRead
            result.usersRead = layout.usersRead
            var context = context
            if context.source == .replay {
                context.query = layout.twarcQuery ?? context.query
                context.fetchedAt = layout.twarcRetrievedAt ?? context.fetchedAt
            }
            var ingest: [UInt8] = []
            JSONWriting.appendLiteral("\"ingest\":", to: &ingest)
            ingest.append(contentsOf: ingestObject(context))
            result.records.reserveCapacity(base + 2 * bytes.count + layout.tweets.count * (ingest.count + 16))
            result.recordIDs.reserveCapacity(layout.tweets.count)
            result.recordEnds.reserveCapacity(layout.tweets.count)
            var flattener = Flattener(bytes: bytes, layout: layout, notesSpans: notingSpans)
            for tweet in layout.tweets {
                build(tweet, bytes: bytes, flattener: &flattener, ingest: ingest, context: context, base: base, into: &result)
            }
            if notingSpans {
                // Counted from the first byte written, as `recordEnds` are.
                swap(&result.spans, &flattener.spans)
                for index in result.spans.indices { result.spans[index] = result.spans[index].shifted(by: -base) }
            }
            swap(&result.records, &records)
            return .success(result)
        } catch let error as PageError {
            return .failure(error)
        } catch {
            return .failure(.malformedJSON("\(error)"))
        }
    }

    private static func build(
        _ tweet: PageLayout.Tweet, bytes: UnsafeBufferPointer<UInt8>, flattener: inout Flattener, ingest: [UInt8],
        context: IngestContext, base: Int, into result: inout NormalizedPage
    ) {
        guard tweet.isObject else {
            return reject(
                tweet.range, bytes, code: "Normalize.NotAnObject", message: "a data[] entry is not a JSON object", context, &result)
        }
        guard let id = tweet.id else {
            return reject(tweet.range, bytes, code: "Normalize.MissingId", message: "the tweet has no string \"id\"", context, &result)
        }
        flattener.appendRecord(tweet, ingestMember: ingest, to: &result.records)
        result.records.append(UInt8(ascii: "\n"))
        result.recordCount += 1
        result.recordIDs.append(id)
        result.recordEnds.append(result.records.count - base)
        if result.newestTweetID.map({ id > $0 }) ?? true { result.newestTweetID = id }
        if result.oldestTweetID.map({ id < $0 }) ?? true { result.oldestTweetID = id }
    }

    static func ingestObject(_ context: IngestContext) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriting.appendLiteral("{\"query\":", to: &out)
        if let query = context.query {
            JSONWriting.appendString(query, to: &out)
        } else {
            JSONWriting.appendLiteral("null", to: &out)
        }
        JSONWriting.appendLiteral(",\"fetched_at\":", to: &out)
        JSONWriting.appendString(UTCTime(context.fetchedAt).rfc3339Milliseconds, to: &out)
        JSONWriting.appendLiteral(",\"source\":", to: &out)
        JSONWriting.appendString(context.source.rawValue, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func reject(
        _ range: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>, code: String, message: String,
        _ context: IngestContext, _ result: inout NormalizedPage
    ) {
        result.errorRecords.append(
            contentsOf: ErrorRecord(code: code, message: message, raw: Array(bytes[range]), context: context).line)
        result.errorCount += 1
    }
}

/// A Firehose-style error record (`errorCode`, `errorMessage`, `rawData` in base64) for input
/// that could not be made into a record; written under the error output prefix.
public struct ErrorRecord: Sendable {
    public var code: String
    public var message: String
    public var raw: [UInt8]
    public var context: IngestContext

    public init(code: String, message: String, raw: [UInt8], context: IngestContext) {
        self.code = code
        self.message = message
        self.raw = raw
        self.context = context
    }

    /// The record as one `\n`-terminated JSON line.
    public var line: [UInt8] {
        var out: [UInt8] = []
        JSONWriting.appendLiteral("{\"errorCode\":", to: &out)
        JSONWriting.appendString(code, to: &out)
        JSONWriting.appendLiteral(",\"errorMessage\":", to: &out)
        JSONWriting.appendString(message, to: &out)
        JSONWriting.appendLiteral(",\"arrivalTimestamp\":", to: &out)
        out.append(contentsOf: Array(String(Int64(context.fetchedAt.timeIntervalSince1970 * 1000)).utf8))
        JSONWriting.appendLiteral(",\"rawData\":", to: &out)
        JSONWriting.appendString(Data(raw).base64EncodedString(), to: &out)
        JSONWriting.appendLiteral(",\"ingest\":", to: &out)
        out.append(contentsOf: PageNormalizer.ingestObject(context))
        JSONWriting.appendLiteral("}\n", to: &out)
        return out
    }
}
