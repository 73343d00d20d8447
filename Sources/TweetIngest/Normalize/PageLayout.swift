import FoundationEssentials

/// Where the parts of a page are: the first pass over a page, validating all of it.
struct PageLayout {
    struct Tweet {
        var range: Range<Int>
        var isObject: Bool
        var id: TweetID?
        var authorID: String?
        var hasReservedKeys = false
        /// No whitespace between tokens: copied as is instead of minified.
        var isCompact = false
    }

    struct User {
        var range: Range<Int>
        var isCompact: Bool
    }

    var tweets: [Tweet] = []
    var users: [String: User] = [:]
    var meta = PageMeta()
    var partialErrors: [String] = []
    var twarcQuery: String?
    var twarcRetrievedAt: Date?

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> PageLayout {
        var layout = PageLayout()
        var scanner = JSONScanner(bytes)
        guard scanner.peek() == UInt8(ascii: "{") else {
            if scanner.peek() == nil { throw PageError.malformedJSON("the body is empty") }
            _ = try scanner.value()
            throw PageError.notAPage("the top-level value is not an object")
        }
        try scanner.beginObject()
        var first = true
        var sawDataOrMeta = false
        while let key = try scanner.nextKey(first: &first) {
            if scanner.rawEquals(key, "data") {
                sawDataOrMeta = true
                try layout.scanData(&scanner)
            } else if scanner.rawEquals(key, "includes"), scanner.peek() == UInt8(ascii: "{") {
                try layout.scanIncludes(&scanner)
            } else if scanner.rawEquals(key, "meta"), scanner.peek() == UInt8(ascii: "{") {
                sawDataOrMeta = true
                try layout.scanMeta(&scanner)
            } else if scanner.rawEquals(key, "errors"), scanner.peek() == UInt8(ascii: "[") {
                try layout.scanErrors(&scanner)
            } else if scanner.rawEquals(key, "__twarc"), scanner.peek() == UInt8(ascii: "{") {
                try layout.scanTwarc(&scanner)
            } else {
                try scanner.value()
            }
        }
        scanner.skipWhitespace()
        if !scanner.isAtEnd { throw JSONError.trailingData(at: scanner.position) }
        if !sawDataOrMeta { throw PageError.notAPage("it has neither \"data\" nor \"meta\"") }
        return layout
    }

    private mutating func scanData(_ scanner: inout JSONScanner) throws {
        guard scanner.peek() == UInt8(ascii: "[") else {
            throw PageError.notAPage("\"data\" is not an array")
        }
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            if scanner.peek() == UInt8(ascii: "{") {
                tweets.append(try Self.scanTweet(&scanner))
            } else {
                tweets.append(Tweet(range: try scanner.value(), isObject: false))
            }
        }
    }

    private static func scanTweet(_ scanner: inout JSONScanner) throws -> Tweet {
        scanner.skipWhitespace()
        let start = scanner.position
        let whitespaceBefore = scanner.whitespaceSkipped
        var tweet = Tweet(range: start..<start, isObject: true)
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            let isString = scanner.peek() == UInt8(ascii: "\"")
            if isString, scanner.rawEquals(key, "id") {
                tweet.id = TweetID(scanner.decodeString(try scanner.string()))
            } else if isString, scanner.rawEquals(key, "author_id") {
                tweet.authorID = scanner.decodeString(try scanner.string())
            } else {
                if scanner.rawEquals(key, "author") || scanner.rawEquals(key, "ingest") { tweet.hasReservedKeys = true }
                try scanner.value()
            }
        }
        tweet.range = start..<scanner.position
        tweet.isCompact = scanner.whitespaceSkipped == whitespaceBefore
        return tweet
    }

    private mutating func scanIncludes(_ scanner: inout JSONScanner) throws {
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            guard scanner.rawEquals(key, "users"), scanner.peek() == UInt8(ascii: "[") else {
                try scanner.value()
                continue
            }
            try scanner.beginArray()
            var firstUser = true
            while try scanner.nextElement(first: &firstUser) {
                let whitespaceBefore = scanner.whitespaceSkipped
                let range = try scanner.value()
                if let id = Self.stringMember("id", of: range, scanner.bytes), users[id] == nil {
                    users[id] = User(range: range, isCompact: scanner.whitespaceSkipped == whitespaceBefore)
                }
            }
        }
    }

    private mutating func scanMeta(_ scanner: inout JSONScanner) throws {
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            let isString = scanner.peek() == UInt8(ascii: "\"")
            if isString, scanner.rawEquals(key, "newest_id") {
                meta.newestID = TweetID(scanner.decodeString(try scanner.string()))
            } else if isString, scanner.rawEquals(key, "oldest_id") {
                meta.oldestID = TweetID(scanner.decodeString(try scanner.string()))
            } else if isString, scanner.rawEquals(key, "next_token") {
                meta.nextToken = scanner.decodeString(try scanner.string())
            } else if scanner.rawEquals(key, "result_count") {
                meta.resultCount = scanner.integer(try scanner.value())
            } else {
                try scanner.value()
            }
        }
    }

    private mutating func scanErrors(_ scanner: inout JSONScanner) throws {
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            let range = try scanner.value()
            let fields = ["title", "detail", "resource_id", "parameter"].compactMap { name in
                Self.stringMember(name, of: range, scanner.bytes).map { "\(name)=\($0)" }
            }
            partialErrors.append(fields.isEmpty ? "an error without title or detail" : fields.joined(separator: " "))
        }
    }

    private mutating func scanTwarc(_ scanner: inout JSONScanner) throws {
        let range = try scanner.value()
        if let url = Self.stringMember("url", of: range, scanner.bytes) {
            twarcQuery = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "query" })?.value
        }
        if let retrieved = Self.stringMember("retrieved_at", of: range, scanner.bytes) {
            twarcRetrievedAt = parseRFC3339(retrieved)
        }
    }

    /// The decoded value of a top-level string member of the object at `range`, if any.
    static func stringMember(_ name: String, of range: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var scanner = JSONScanner(bytes, range: range)
        guard scanner.peek() == UInt8(ascii: "{"), (try? scanner.beginObject()) != nil else { return nil }
        var first = true
        while let key = try? scanner.nextKey(first: &first) {
            if scanner.peek() == UInt8(ascii: "\""), scanner.decodeString(key) == name {
                return (try? scanner.string()).map { scanner.decodeString($0) }
            }
            guard (try? scanner.value()) != nil else { return nil }
        }
        return nil
    }
}
