import Parquet

/// The one Parquet schema every object has (README, "Parquet"), and the shredding of delivered
/// records into it. Every column comes from the record as delivered (the same bytes a JSON Lines
/// object would hold); `record` keeps the whole record, so nothing a column leaves out is lost.
public enum TweetParquet {
    /// Written to each file's key-value metadata (`tweet-ingest.schema`); changes only when a
    /// column is added, renamed or retyped.
    public static let schemaVersion = "1"

    /// Counts of `public_metrics`, as `<name>` columns.
    static let postMetrics: [StaticString] = [
        "retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count",
    ]
    /// Counts of the author's `public_metrics`, as `author_<name>` columns.
    static let authorMetrics: [StaticString] = [
        "followers_count", "following_count", "tweet_count", "listed_count", "like_count", "media_count",
    ]

    public static let schema: ParquetSchema = {
        var fields: [ParquetField] = [
            .string("id", optional: false), .timestampMillis("created_at"), .string("text"), .string("full_text"), .string("lang"),
            .string("author_id"), .string("conversation_id"), .string("in_reply_to_user_id"), .boolean("possibly_sensitive"),
        ]
        fields += postMetrics.map { .int64("\($0)") }
        fields += [
            .string("author_username"), .string("author_name"), .string("author_location"), .boolean("author_verified"),
            .string("author_verified_type"),
        ]
        fields += authorMetrics.map { .int64("author_\($0)") }
        fields += [
            .list("hashtags", element: .string("element")), .list("mentions", element: .string("element")),
            .list("urls", element: .string("element")),
            .list("referenced_tweets", element: .group("element", [.string("type"), .string("id")])),
            .list("media_types", element: .string("element")), .string("place_full_name"), .string("ingest_query"),
            .timestampMillis("ingest_fetched_at"), .string("ingest_source"), .string("record"),
        ]
        return ParquetSchema(fields)
    }()

    /// Leaf column indexes, in schema order.
    enum Column {
        static let id = 0, createdAt = 1, text = 2, fullText = 3, lang = 4, authorID = 5, conversationID = 6
        static let inReplyToUserID = 7, possiblySensitive = 8, postMetrics = 9
        static let authorUsername = 15, authorName = 16, authorLocation = 17, authorVerified = 18, authorVerifiedType = 19
        static let authorMetrics = 20
        static let hashtags = 26, mentions = 27, urls = 28, referencedType = 29, referencedID = 30, mediaTypes = 31
        static let placeFullName = 32, ingestQuery = 33, ingestFetchedAt = 34, ingestSource = 35, record = 36
        static let count = 37
    }

    /// zstd's level 1: about 1.6x the speed of level 3 on our records for 3% more bytes, still
    /// well under gzip JSON Lines (README, "Parquet").
    static let zstdLevel: Int32 = 1

    /// One Parquet file holding `lines` (ranges into `records`, newline excluded) as rows.
    /// `spans`: where the records' large values are (`Batch.spans`), so the columns are found
    /// without reading inlined posts and users again; without them every value is scanned.
    public static func encode(
        _ records: [UInt8], lines: [Range<Int>], spans: [RecordSpan] = [], compression: Config.ParquetCompression,
        keyValueMetadata: [(String, String)] = []
    ) throws -> [UInt8] {
        var options = ParquetWriterOptions()
        options.compression = ParquetCompression(rawValue: compression.rawValue) ?? .zstd
        options.zstdLevel = zstdLevel
        options.keyValueMetadata = keyValueMetadata
        // The file is written into room reserved once, in huge pages where it can be: grown by
        // the writer, it was a fresh mapping paged in 4 KiB at a time (a third of the page
        // faults of a Parquet replay). Compressed, a file is about a tenth of its records.
        var output: [UInt8] = []
        reserveInHugePages(&output, capacity: compression == .none ? records.count * 3 / 2 : records.count / 4 + (1 << 20))
        var writer = ParquetWriter(schema: schema, options: options, output: consume output)
        var cursor = 0
        try records.withUnsafeBufferPointer { bytes in
            try spans.withUnsafeBufferPointer { spans in
                try withUnsafeMutablePointer(to: &cursor) { cursor in
                    var shredder = RowShredder(reader: RecordReader(bytes, spans: spans, cursor: cursor))
                    for line in lines {
                        shredder.read(line)
                        shredder.write(to: &writer)
                        try writer.endRow()
                    }
                }
            }
        }
        return try writer.finish()
    }
}

/// Finds one record's column values (raw JSON ranges) in a single pass over its members, then
/// appends them to the writer with their Dremel levels. Buffers are reused from row to row.
struct RowShredder {
    let reader: RecordReader
    /// Raw value per scalar column (nil: the record has no such member).
    var scalars = [Range<Int>?](repeating: nil, count: TweetParquet.Column.count)
    var noteText: Range<Int>?
    /// List columns: nil when the member is missing; each element's raw value (nil: not there).
    var hashtags: [Range<Int>?]?
    var mentions: [Range<Int>?]?
    var urls: [Range<Int>?]?
    var mediaTypes: [Range<Int>?]?
    var referenced: [(type: Range<Int>?, id: Range<Int>?)?]?
    var scratch: [UInt8] = []

    init(reader: RecordReader) { self.reader = reader }

    private typealias C = TweetParquet.Column

    /// One pass over the record: members the columns need are read where they stand (nested
    /// objects descended into as the scan reaches them), everything else is skipped once.
    mutating func read(_ record: Range<Int>) {
        for index in scalars.indices { scalars[index] = nil }
        noteText = nil
        hashtags = nil
        mentions = nil
        urls = nil
        mediaTypes = nil
        referenced = nil
        scalars[C.record] = record
        let r = reader
        let end = record.upperBound
        _ = r.scanObject(at: record.lowerBound, end: end) { key, start in
            switch key.count {
            case 2 where r.equals(key, "id"): return scalar(C.id, start, end)
            case 3 where r.equals(key, "geo"):
                return r.scanObject(at: start, end: end) { key, start in
                    r.equals(key, "full_name") ? scalar(C.placeFullName, start, end) : r.valueEnd(at: start, end: end)
                } ?? r.valueEnd(at: start, end: end)
            case 4 where r.equals(key, "text"): return scalar(C.text, start, end)
            case 4 where r.equals(key, "lang"): return scalar(C.lang, start, end)
            case 6 where r.equals(key, "author"): return readAuthor(start, end)
            case 6 where r.equals(key, "ingest"):
                return r.scanObject(at: start, end: end) { key, start in
                    if r.equals(key, "query") { return scalar(C.ingestQuery, start, end) }
                    if r.equals(key, "fetched_at") { return scalar(C.ingestFetchedAt, start, end) }
                    if r.equals(key, "source") { return scalar(C.ingestSource, start, end) }
                    return r.valueEnd(at: start, end: end)
                } ?? r.valueEnd(at: start, end: end)
            case 8 where r.equals(key, "entities"): return readEntities(start, end)
            case 9 where r.equals(key, "author_id"): return scalar(C.authorID, start, end)
            case 10 where r.equals(key, "created_at"): return scalar(C.createdAt, start, end)
            case 10 where r.equals(key, "note_tweet"):
                return r.scanObject(at: start, end: end) { key, start in
                    let valueEnd = r.valueEnd(at: start, end: end)
                    if r.equals(key, "text") { noteText = valueEnd.map { start..<$0 } }
                    return valueEnd
                } ?? r.valueEnd(at: start, end: end)
            case 11 where r.equals(key, "attachments"):
                return r.scanObject(at: start, end: end) { key, start in
                    guard r.equals(key, "media") else { return r.valueEnd(at: start, end: end) }
                    return list(start, end, member: "type") { mediaTypes = $0 }
                } ?? r.valueEnd(at: start, end: end)
            case 14 where r.equals(key, "public_metrics"): return readMetrics(start, end, TweetParquet.postMetrics, into: C.postMetrics)
            case 15 where r.equals(key, "conversation_id"): return scalar(C.conversationID, start, end)
            case 17 where r.equals(key, "referenced_tweets"): return readReferenced(start, end)
            case 18 where r.equals(key, "possibly_sensitive"): return scalar(C.possiblySensitive, start, end)
            case 19 where r.equals(key, "in_reply_to_user_id"): return scalar(C.inReplyToUserID, start, end)
            default: return r.valueEnd(at: start, end: end)
            }
        }
    }

    /// Notes the value starting at `start` as the column's; returns its end.
    private mutating func scalar(_ column: Int, _ start: Int, _ end: Int) -> Int? {
        let valueEnd = reader.valueEnd(at: start, end: end)
        scalars[column] = valueEnd.map { start..<$0 }
        return valueEnd
    }

    private mutating func readAuthor(_ start: Int, _ end: Int) -> Int? {
        let r = reader
        return r.scanObject(at: start, end: end) { key, start in
            switch key.count {
            case 4 where r.equals(key, "name"): return scalar(C.authorName, start, end)
            case 8 where r.equals(key, "username"): return scalar(C.authorUsername, start, end)
            case 8 where r.equals(key, "location"): return scalar(C.authorLocation, start, end)
            case 8 where r.equals(key, "verified"): return scalar(C.authorVerified, start, end)
            case 13 where r.equals(key, "verified_type"): return scalar(C.authorVerifiedType, start, end)
            case 14 where r.equals(key, "public_metrics"):
                return readMetrics(start, end, TweetParquet.authorMetrics, into: C.authorMetrics)
            default: return r.valueEnd(at: start, end: end)
            }
        } ?? r.valueEnd(at: start, end: end)
    }

    private mutating func readEntities(_ start: Int, _ end: Int) -> Int? {
        let r = reader
        return r.scanObject(at: start, end: end) { key, start in
            if r.equals(key, "hashtags") { return list(start, end, member: "tag") { hashtags = $0 } }
            if r.equals(key, "mentions") { return list(start, end, member: "username") { mentions = $0 } }
            if r.equals(key, "urls") { return list(start, end, member: "expanded_url") { urls = $0 } }
            return r.valueEnd(at: start, end: end)
        } ?? r.valueEnd(at: start, end: end)
    }

    private mutating func readMetrics(_ start: Int, _ end: Int, _ names: [StaticString], into first: Int) -> Int? {
        let r = reader
        return r.scanObject(at: start, end: end) { key, start in
            for (offset, name) in names.enumerated() where r.equals(key, name) { return scalar(first + offset, start, end) }
            return r.valueEnd(at: start, end: end)
        } ?? r.valueEnd(at: start, end: end)
    }

    /// A list column from an array of objects: each element's member `member` (nil for an element
    /// that is not an object or lacks it); `store` gets nil when the value is not an array.
    private func list(_ start: Int, _ end: Int, member: StaticString, store: ([Range<Int>?]?) -> Void) -> Int? {
        let r = reader
        var values: [Range<Int>?] = []
        let arrayEnd = r.scanArray(at: start, end: end) { element in
            var found: Range<Int>?
            let elementEnd = r.scanObjectPrefix(at: element, end: end) { key, start in
                guard let valueEnd = r.valueEnd(at: start, end: end) else { return nil }
                guard r.equals(key, member) else { return .next(valueEnd) }
                found = start..<valueEnd
                return .rest
            }
            values.append(found)
            return elementEnd ?? r.valueEnd(at: element, end: end)
        }
        store(arrayEnd == nil ? nil : values)
        return arrayEnd ?? r.valueEnd(at: start, end: end)
    }

    private mutating func readReferenced(_ start: Int, _ end: Int) -> Int? {
        let r = reader
        var entries: [(type: Range<Int>?, id: Range<Int>?)?] = []
        let arrayEnd = r.scanArray(at: start, end: end) { element in
            var entry: (type: Range<Int>?, id: Range<Int>?) = (nil, nil)
            // Both come first, before the referenced post merged in: the post is not read.
            let elementEnd = r.scanObjectPrefix(at: element, end: end) { key, start in
                guard let valueEnd = r.valueEnd(at: start, end: end) else { return nil }
                if key.count <= 4 {
                    if r.equals(key, "type") { entry.type = start..<valueEnd }
                    if r.equals(key, "id") { entry.id = start..<valueEnd }
                }
                return entry.type != nil && entry.id != nil ? .rest : .next(valueEnd)
            }
            entries.append(elementEnd == nil ? nil : entry)
            return elementEnd ?? r.valueEnd(at: element, end: end)
        }
        if arrayEnd != nil { referenced = entries }
        return arrayEnd ?? r.valueEnd(at: start, end: end)
    }

    // MARK: - Writing

    mutating func write(to writer: inout ParquetWriter) {
        // id is required: the normalizer sends a record without a string id to the error output.
        appendString(C.id, scalars[C.id], maxDefinition: 0, to: &writer)
        appendTimestamp(C.createdAt, scalars[C.createdAt], to: &writer)
        appendString(C.text, scalars[C.text], to: &writer)
        let full = noteText.flatMap { reader.kind($0) == .string ? $0 : nil } ?? scalars[C.text]
        appendString(C.fullText, full, to: &writer)
        for column in [C.lang, C.authorID, C.conversationID, C.inReplyToUserID] {
            appendString(column, scalars[column], to: &writer)
        }
        appendBoolean(C.possiblySensitive, scalars[C.possiblySensitive], to: &writer)
        for offset in 0..<6 { appendInt(C.postMetrics + offset, scalars[C.postMetrics + offset], to: &writer) }
        for column in [C.authorUsername, C.authorName, C.authorLocation] { appendString(column, scalars[column], to: &writer) }
        appendBoolean(C.authorVerified, scalars[C.authorVerified], to: &writer)
        appendString(C.authorVerifiedType, scalars[C.authorVerifiedType], to: &writer)
        for offset in 0..<6 { appendInt(C.authorMetrics + offset, scalars[C.authorMetrics + offset], to: &writer) }
        appendList(C.hashtags, hashtags, to: &writer)
        appendList(C.mentions, mentions, to: &writer)
        appendList(C.urls, urls, to: &writer)
        appendReferenced(to: &writer)
        appendList(C.mediaTypes, mediaTypes, to: &writer)
        for column in [C.placeFullName, C.ingestQuery] { appendString(column, scalars[column], to: &writer) }
        appendTimestamp(C.ingestFetchedAt, scalars[C.ingestFetchedAt], to: &writer)
        appendString(C.ingestSource, scalars[C.ingestSource], to: &writer)
        appendString(C.record, scalars[C.record], raw: true, to: &writer)
    }

    /// A string column: the decoded text of a JSON string, else null. `raw`: the bytes as they are
    /// (the whole record).
    private mutating func appendString(
        _ column: Int, _ value: Range<Int>?, maxDefinition: Int = 1, repetition: Int = 0, raw: Bool = false,
        to writer: inout ParquetWriter
    ) {
        guard let value, raw || reader.kind(value) == .string else {
            writer.appendNull(column: column, definition: maxDefinition - 1, repetition: repetition)
            return
        }
        let content = raw ? value : (value.lowerBound + 1)..<(value.upperBound - 1)
        if raw || reader.isPlain(value) {
            writer.append(
                column: column, bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(reader.bytes)[content]),
                definition: maxDefinition, repetition: repetition)
        } else {
            scratch.removeAll(keepingCapacity: true)
            reader.appendText(of: value, to: &scratch)
            scratch.withUnsafeBytes { writer.append(column: column, bytes: $0, definition: maxDefinition, repetition: repetition) }
        }
    }

    private func appendInt(_ column: Int, _ value: Range<Int>?, to writer: inout ParquetWriter) {
        if let value, reader.kind(value) == .number, let number = reader.int64(value) {
            writer.append(column: column, int64: number, definition: 1, repetition: 0)
        } else {
            writer.appendNull(column: column, definition: 0, repetition: 0)
        }
    }

    private func appendBoolean(_ column: Int, _ value: Range<Int>?, to writer: inout ParquetWriter) {
        if let value, let flag = reader.boolean(value) {
            writer.append(column: column, boolean: flag, definition: 1, repetition: 0)
        } else {
            writer.appendNull(column: column, definition: 0, repetition: 0)
        }
    }

    private func appendTimestamp(_ column: Int, _ value: Range<Int>?, to writer: inout ParquetWriter) {
        if let value, reader.kind(value) == .string,
            let millis = RFC3339.milliseconds(reader.bytes, (value.lowerBound + 1)..<(value.upperBound - 1))
        {
            writer.append(column: column, int64: millis, definition: 1, repetition: 0)
        } else {
            writer.appendNull(column: column, definition: 0, repetition: 0)
        }
    }

    /// A list of optional strings (levels: 0 no list, 1 empty, 2 null element, 3 a value).
    private mutating func appendList(_ column: Int, _ values: [Range<Int>?]?, to writer: inout ParquetWriter) {
        guard let values else { return writer.appendNull(column: column, definition: 0, repetition: 0) }
        guard !values.isEmpty else { return writer.appendNull(column: column, definition: 1, repetition: 0) }
        for (index, value) in values.enumerated() {
            let repetition = index == 0 ? 0 : 1
            if let value, reader.kind(value) == .string {
                appendString(column, value, maxDefinition: 3, repetition: repetition, to: &writer)
            } else {
                writer.appendNull(column: column, definition: 2, repetition: repetition)
            }
        }
    }

    /// A list of optional structs {type, id} (levels: 0 no list, 1 empty, 2 null element,
    /// 3 element without the field, 4 the field's value).
    private mutating func appendReferenced(to writer: inout ParquetWriter) {
        let columns = [C.referencedType, C.referencedID]
        guard let referenced else {
            for column in columns { writer.appendNull(column: column, definition: 0, repetition: 0) }
            return
        }
        guard !referenced.isEmpty else {
            for column in columns { writer.appendNull(column: column, definition: 1, repetition: 0) }
            return
        }
        for (index, entry) in referenced.enumerated() {
            let repetition = index == 0 ? 0 : 1
            guard let entry else {
                for column in columns { writer.appendNull(column: column, definition: 2, repetition: repetition) }
                continue
            }
            for (column, value) in zip(columns, [entry.type, entry.id]) {
                if let value, reader.kind(value) == .string {
                    appendString(column, value, maxDefinition: 4, repetition: repetition, to: &writer)
                } else {
                    writer.appendNull(column: column, definition: 3, repetition: repetition)
                }
            }
        }
    }
}
