import FoundationEssentials

/// Where the parts of a page are: the first pass over a page, validating all of it and noting
/// what the second pass (`Flattener`) needs: every object's members, and which nested objects
/// hold a member twarc's rules read. The second pass scans again only inside those objects
/// (mentions, geo, media keys, referenced posts), never a whole post.
struct PageLayout {
    /// One member of an object: key content (between the quotes; the opening quote is at
    /// `keyStart - 1`) and value.
    struct Member {
        var keyStart: Int
        var keyEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    struct Tweet {
        var range: Range<Int>
        var isObject: Bool
        var id: TweetID?
        /// Top-level members, in `PageLayout.members`.
        var members: Range<Int> = 0..<0
        /// Nested objects a `flatten` rule rewrites, in `PageLayout.ruleMarks.objects`, by position.
        var ruleObjects: Range<Int> = 0..<0
    }

    /// An object of one of the `includes` lists.
    struct Included {
        var range: Range<Int>
        var members: Range<Int>
        var ruleObjects: Range<Int> = 0..<0
    }

    /// A nested object a `flatten` rule rewrites, and its members (in `PageLayout.ruleMembers`),
    /// so the second pass does not scan it again.
    struct RuleObject {
        var range: Range<Int>
        var members: Range<Int>
    }

    /// Rule objects as the first pass finds them; the stack holds the members of the objects
    /// being scanned (its storage is kept as it shrinks: `removeLast(_:)` costs more).
    struct RuleMarks {
        var objects: [RuleObject] = []
        var members: [Member] = []
        private var stack: [Member] = []
        private(set) var stackCount = 0

        @inline(__always)
        mutating func push(_ member: Member) {
            if stackCount < stack.count {
                stack[stackCount] = member
            } else {
                stack.append(member)
            }
            stackCount += 1
        }

        /// Keeps the object at `range`, whose members are on the stack from `base`.
        mutating func keep(_ range: Range<Int>, stackFrom base: Int) {
            let first = members.count
            members.append(contentsOf: stack[base..<stackCount])
            objects.append(RuleObject(range: range, members: first..<members.count))
        }

        @inline(__always)
        mutating func pop(to base: Int) { stackCount = base }
    }

    var tweets: [Tweet] = []
    var members: [Member] = []
    var ruleMarks = RuleMarks()
    var users: [Included] = []
    var media: [Included] = []
    var polls: [Included] = []
    var places: [Included] = []
    var includedTweets: [Included] = []
    /// Users by id, then by username over them (one map, as twarc builds it); last one wins.
    var userIndex = ByteKeyTable(capacity: 0)
    var mediaIndex = ByteKeyTable(capacity: 0)
    var pollIndex = ByteKeyTable(capacity: 0)
    var placeIndex = ByteKeyTable(capacity: 0)
    /// Included tweets by id; an entry's number is the tweet's place in the order twarc expands
    /// them (first appearance of the id), its value the last object with that id.
    var tweetIndex = ByteKeyTable(capacity: 0)
    var usersRead = 0
    var includedPostsRead = 0
    /// The page's top-level `matching_rules` (filtered stream), which twarc copies into each tweet.
    var matchingRules: Range<Int>?
    /// No whitespace between tokens anywhere: ranges are copied as they are, without minifying.
    var isCompact = true
    var meta = PageMeta()
    var partialErrors: [String] = []
    var twarcQuery: String?
    var twarcRetrievedAt: Date?

    private var includeKeys = IncludeKeys()

    /// The string values that key each `includes` object, kept until the indexes are built.
    private struct IncludeKeys {
        var userIDs: [Range<Int>?] = []
        var usernames: [Range<Int>?] = []
        var mediaKeys: [Range<Int>?] = []
        var pollIDs: [Range<Int>?] = []
        var placeIDs: [Range<Int>?] = []
        var tweetIDs: [Range<Int>?] = []
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> PageLayout {
        var layout = PageLayout()
        // About one top-level member per 40 bytes of a recorded page: room up front, so the
        // array is not copied as it grows.
        layout.members.reserveCapacity(bytes.count / 32 + 16)
        var scanner = JSONScanner(bytes)
        guard scanner.peek() == UInt8(ascii: "{") else {
            if scanner.peek() == nil { throw PageError.malformedJSON("the body is empty") }
            _ = try scanner.value()
            throw PageError.notAPage("the top-level value is not an object")
        }
        let leadingWhitespace = scanner.whitespaceSkipped
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
            } else if scanner.rawEquals(key, "matching_rules") {
                layout.matchingRules = try scanner.value()
            } else {
                try scanner.value()
            }
        }
        layout.isCompact = scanner.whitespaceSkipped == leadingWhitespace
        scanner.skipWhitespace()
        if !scanner.isAtEnd { throw JSONError.trailingData(at: scanner.position) }
        if !sawDataOrMeta { throw PageError.notAPage("it has neither \"data\" nor \"meta\"") }
        layout.buildIndexes(bytes)
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
                tweets.append(try scanTweet(&scanner))
            } else {
                tweets.append(Tweet(range: try scanner.value(), isObject: false))
            }
        }
    }

    /// A data tweet: its members, the rule objects inside it, and its id.
    private mutating func scanTweet(_ scanner: inout JSONScanner) throws -> Tweet {
        var id: Range<Int>?
        let object = try scanObject(&scanner, markingRuleObjects: true, key: "id", into: &id)
        var tweet = Tweet(range: object.range, isObject: true, members: object.members, ruleObjects: object.ruleObjects)
        if let id {
            tweet.id = Self.tweetID(scanner.bytes, id) ?? TweetID(scanner.decodeString(id))
        }
        return tweet
    }

    /// Scans an object member by member into `members`; the content of the string value of
    /// `key` goes to `keyValue`. With `markingRuleObjects`, nested objects that a rule rewrites
    /// are noted, sorted by position (outer before inner).
    private mutating func scanObject(
        _ scanner: inout JSONScanner, markingRuleObjects: Bool, key wanted: StaticString, into keyValue: inout Range<Int>?,
        secondKey: StaticString = "", into secondValue: inout Range<Int>?
    ) throws -> Included {
        scanner.skipWhitespace()
        let start = scanner.position
        let firstMember = members.count
        let firstRuleObject = ruleMarks.objects.count
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            let next = scanner.peek()
            let value: Range<Int>
            if next == UInt8(ascii: "\"") {
                let content = try scanner.string()
                value = (content.lowerBound - 1)..<(content.upperBound + 1)
                if scanner.rawEquals(key, wanted) {
                    keyValue = content
                } else if secondKey.utf8CodeUnitCount > 0, scanner.rawEquals(key, secondKey) {
                    secondValue = content
                }
            } else if markingRuleObjects, next == UInt8(ascii: "{") || next == UInt8(ascii: "[") {
                value = try scanner.valueMarkingRuleObjects(into: &ruleMarks)
            } else {
                value = try scanner.value()
            }
            members.append(
                Member(keyStart: key.lowerBound, keyEnd: key.upperBound, valueStart: value.lowerBound, valueEnd: value.upperBound))
        }
        let ruleRange = firstRuleObject..<ruleMarks.objects.count
        Self.sortByPosition(&ruleMarks.objects, ruleRange)
        return Included(range: start..<scanner.position, members: firstMember..<members.count, ruleObjects: ruleRange)
    }

    private mutating func scanObject(
        _ scanner: inout JSONScanner, markingRuleObjects: Bool, key wanted: StaticString, into keyValue: inout Range<Int>?
    ) throws -> Included {
        var unused: Range<Int>?
        return try scanObject(&scanner, markingRuleObjects: markingRuleObjects, key: wanted, into: &keyValue, into: &unused)
    }

    /// Rule objects are noted innermost first; the writer walks them outer first. Few per
    /// tweet, so an insertion sort.
    private static func sortByPosition(_ objects: inout [RuleObject], _ slice: Range<Int>) {
        guard slice.count > 1 else { return }
        for index in (slice.lowerBound + 1)..<slice.upperBound {
            let item = objects[index]
            var hole = index
            while hole > slice.lowerBound, objects[hole - 1].range.lowerBound > item.range.lowerBound {
                objects[hole] = objects[hole - 1]
                hole -= 1
            }
            objects[hole] = item
        }
    }

    private mutating func scanIncludes(_ scanner: inout JSONScanner) throws {
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            guard scanner.peek() == UInt8(ascii: "[") else {
                try scanner.value()
                continue
            }
            if scanner.rawEquals(key, "users") {
                try scanList(&scanner, key: "id", secondKey: "username") { layout, object, id, username in
                    layout.users.append(object)
                    layout.includeKeys.userIDs.append(id)
                    layout.includeKeys.usernames.append(username)
                } count: {
                    $0.usersRead += 1
                }
            } else if scanner.rawEquals(key, "tweets") {
                try scanList(&scanner, key: "id", markingRuleObjects: true) { layout, object, id, _ in
                    layout.includedTweets.append(object)
                    layout.includeKeys.tweetIDs.append(id)
                } count: {
                    $0.includedPostsRead += 1
                }
            } else if scanner.rawEquals(key, "media") {
                try scanList(&scanner, key: "media_key") { layout, object, key, _ in
                    layout.media.append(object)
                    layout.includeKeys.mediaKeys.append(key)
                }
            } else if scanner.rawEquals(key, "polls") {
                try scanList(&scanner, key: "id") { layout, object, id, _ in
                    layout.polls.append(object)
                    layout.includeKeys.pollIDs.append(id)
                }
            } else if scanner.rawEquals(key, "places") {
                try scanList(&scanner, key: "id") { layout, object, id, _ in
                    layout.places.append(object)
                    layout.includeKeys.placeIDs.append(id)
                }
            } else {
                try scanner.value()
            }
        }
    }

    private mutating func scanList(
        _ scanner: inout JSONScanner, key: StaticString, secondKey: StaticString = "", markingRuleObjects: Bool = false,
        _ add: (inout PageLayout, Included, Range<Int>?, Range<Int>?) -> Void, count: (inout PageLayout) -> Void = { _ in }
    ) throws {
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            count(&self)
            guard scanner.peek() == UInt8(ascii: "{") else {
                try scanner.value()
                continue
            }
            var keyValue: Range<Int>?
            var secondValue: Range<Int>?
            let object = try scanObject(
                &scanner, markingRuleObjects: markingRuleObjects, key: key, into: &keyValue, secondKey: secondKey, into: &secondValue)
            add(&self, object, keyValue, secondValue)
        }
    }

    /// The indexes twarc's `extract_includes` builds: keyed by one field, the last object wins.
    private mutating func buildIndexes(_ bytes: UnsafeBufferPointer<UInt8>) {
        userIndex = ByteKeyTable(capacity: users.count * 2)
        for (index, id) in includeKeys.userIDs.enumerated() { if let id { userIndex.set(id, to: index, in: bytes) } }
        for (index, name) in includeKeys.usernames.enumerated() { if let name { userIndex.set(name, to: index, in: bytes) } }
        mediaIndex = Self.index(includeKeys.mediaKeys, bytes)
        pollIndex = Self.index(includeKeys.pollIDs, bytes)
        placeIndex = Self.index(includeKeys.placeIDs, bytes)
        tweetIndex = Self.index(includeKeys.tweetIDs, bytes)
        includeKeys = IncludeKeys()
    }

    private static func index(_ keys: [Range<Int>?], _ bytes: UnsafeBufferPointer<UInt8>) -> ByteKeyTable {
        var table = ByteKeyTable(capacity: keys.count)
        for (index, key) in keys.enumerated() { if let key { table.set(key, to: index, in: bytes) } }
        return table
    }

    /// A tweet id from the raw content of its string, without making a String.
    static func tweetID(_ bytes: UnsafeBufferPointer<UInt8>, _ content: Range<Int>) -> TweetID? {
        guard !content.isEmpty, content.count <= 20 else { return nil }
        var value: UInt64 = 0
        for index in content {
            let byte = bytes[index]
            guard JSONScanner.isDigit(byte) else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return TweetID(value)
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
