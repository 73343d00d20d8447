/// The second pass over a page: writes each post as `twarc2 flatten` would (twarc 2.14,
/// `expansions.py`, `flatten`), from the byte ranges `PageLayout` found, copying every received
/// value byte for byte.
///
/// twarc's `expand_payload` visits every object, children first, and then on that object:
/// `author_id` -> `author`, `in_reply_to_user_id` -> `in_reply_to_user` (the user, or `{}`);
/// `media_keys` -> `media` (in key order); `poll_ids` -> `poll` (the last id); `geo.place_id` ->
/// the place merged into `geo`; `mentions[i]` merged with the user of its `username`;
/// `referenced_tweets[i]` merged with the post; `pinned_tweet_id` -> `pinned_tweet`. A rule's key
/// is replaced where the object already has it, otherwise appended in that order. Merges are
/// `{**a, **b}`: `a`'s keys in order with `b`'s value where `b` has the key, then `b`'s others.
///
/// Included posts are expanded in place, in the order their ids first appear, before the data
/// posts. A post merged into a `referenced_tweets` entry is a shallow copy taken at that moment,
/// so it shows the referenced post fully expanded when that one came earlier, and with only its
/// nested objects expanded (no `author` of its own, `geo` not merged) when it came later. Each
/// included post is written once per page in each form it is needed in (`Variant`).
struct Flattener {
    let bytes: UnsafeBufferPointer<UInt8>
    let layout: PageLayout
    /// Members of objects found while writing (`mentions` entries, `geo`, ...), used as a stack.
    private var scratch: [PageLayout.Member] = []
    private var variantText: [[UInt8]]
    private var variantMembers: [[PageLayout.Member]]
    private var variantState: [VariantState]
    /// With `notesSpans`: the spans of the records written so far (positions in their output),
    /// each data post's large top-level values and the entries of its merged lists.
    let notesSpans: Bool
    var spans: [RecordSpan] = []

    /// The forms an included post takes in other posts' records, and so what an object's own
    /// rules may do while it is written (data posts and nested objects: `full`).
    private enum Variant: Int {
        /// After its own expansion: what data posts, and included posts after it, see.
        case full = 0
        /// Nested objects expanded, its own rules not applied: what included posts before it see.
        case nestedOnly = 1
        /// Its own rules applied up to `referenced_tweets`: what it sees of itself.
        case beforeReferences = 2
    }

    private enum VariantState: UInt8 { case missing, inProgress, done }

    /// Where the values of a merge's right-hand side (`b` in `{**a, **b}`) are.
    private enum MergeSource {
        case none
        /// An `includes` object's members, in `layout.members`.
        case page(Range<Int>)
        /// An expanded included post (`variantText` / `variantMembers`).
        case variant(Int)
    }

    /// How an object's merge partner is found.
    private enum MergeBy { case none, place, user, tweet }

    /// Where the members of the object being written are.
    private enum MemberList {
        /// `layout.members`: posts and `includes` objects.
        case page
        /// `layout.ruleMarks.members`: nested objects the first pass noted.
        case rule
        /// `scratch`: objects scanned while writing.
        case scratch
    }

    /// The rule objects still to be written inside the current post, and which post it is.
    struct Walk {
        var next: Int
        let end: Int
        /// The post's place in the expansion order (`Int.max` for data posts).
        let order: Int
    }

    init(bytes: UnsafeBufferPointer<UInt8>, layout: PageLayout, notesSpans: Bool = false) {
        self.bytes = bytes
        self.layout = layout
        self.notesSpans = notesSpans
        let count = layout.tweetIndex.count * 3
        variantText = [[UInt8]](repeating: [], count: count)
        variantMembers = [[PageLayout.Member]](repeating: [], count: count)
        variantState = [VariantState](repeating: .missing, count: count)
    }

    /// Appends the data post's record, without its line end: the expanded post with `ingest`
    /// (the member bytes given) as its last member, and its own `ingest` and `__twarc` left out.
    mutating func appendRecord(_ tweet: PageLayout.Tweet, ingestMember: [UInt8], to out: inout [UInt8]) {
        var em = Emission(bytes: bytes, isCompact: layout.isCompact)
        swap(&em.out, &out)
        if notesSpans {
            em.spans = []
            swap(&em.spans!, &spans)
        }
        var walk = Walk(next: tweet.ruleObjects.lowerBound, end: tweet.ruleObjects.upperBound, order: Int.max)
        var unused: [PageLayout.Member] = []
        emitObject(
            tweet.range, members: tweet.members, list: .page, mode: .full, merge: .none, dataTweet: true,
            suffix: ingestMember, walk: &walk, em: &em, record: false, recorded: &unused)
        em.flush()
        swap(&em.out, &out)
        if notesSpans { swap(&em.spans!, &spans) }
    }

    // MARK: - Objects

    @inline(__always)
    private func member(_ index: Int, _ list: MemberList) -> PageLayout.Member {
        switch list {
        case .page: layout.members[index]
        case .rule: layout.ruleMarks.members[index]
        case .scratch: scratch[index]
        }
    }

    /// Writes one object with its rules applied (as `mode` allows) and merged with `merge`.
    /// With `record`, the written members' positions in `em.out` go to `recorded`.
    private mutating func emitObject(
        _ object: Range<Int>, members: Range<Int>, list: MemberList, mode: Variant, merge: MergeSource, dataTweet: Bool,
        suffix: [UInt8]?, walk: inout Walk, em: inout Emission, record: Bool, recorded: inout [PageLayout.Member]
    ) {
        // Which members the rules read or write, by kind (index relative to `members`).
        var at = SIMD16<Int32>(repeating: -1)
        var editMask: UInt64 = 0
        var wideEdit = false
        let rulesApply = mode != .nestedOnly
        for index in members {
            let m = member(index, list)
            guard let kind = FlattenKey.classify(bytes, m.keyStart..<m.keyEnd) else { continue }
            let relative = index - members.lowerBound
            if at[Int(kind.rawValue)] < 0 { at[Int(kind.rawValue)] = Int32(relative) }
            if isEdit(kind, mode: mode, dataTweet: dataTweet) {
                if relative < 64 { editMask |= 1 << UInt64(relative) } else { wideEdit = true }
            }
        }
        func has(_ kind: FlattenKey) -> Bool { at[Int(kind.rawValue)] >= 0 }
        func value(_ kind: FlattenKey) -> Range<Int> {
            let m = member(members.lowerBound + Int(at[Int(kind.rawValue)]), list)
            return m.valueStart..<m.valueEnd
        }
        let authorFires = rulesApply && has(.authorID)
        let inReplyFires = rulesApply && has(.inReplyToUserID)
        let mediaFires = rulesApply && has(.mediaKeys) && bytes[value(.mediaKeys).lowerBound] == UInt8(ascii: "[")
        let lastPollID = rulesApply && has(.pollIDs) ? lastElement(value(.pollIDs)) : nil
        let pinnedFires = mode == .full && has(.pinnedTweetID)
        let matchingRules = dataTweet ? layout.matchingRules : nil

        var wrote = 0
        var previous = -2
        var previousEnd = object.lowerBound + 1
        var taken: UInt64 = 0
        em.copy(object.lowerBound, object.lowerBound + 1)
        for relative in 0..<members.count {
            let m = member(members.lowerBound + relative, list)
            var kind: FlattenKey?
            if relative < 64 ? (editMask >> UInt64(relative)) & 1 != 0 : wideEdit {
                kind = FlattenKey.classify(bytes, m.keyStart..<m.keyEnd)
                if let k = kind, !isEdit(k, mode: mode, dataTweet: dataTweet) { kind = nil }
            }
            if dataTweet, kind == .ingest || kind == .twarc {
                skip(&walk, upTo: m.valueEnd)
                continue
            }
            let partner = mergeMember(pageKey: m.keyStart..<m.keyEnd, merge)
            if let partner, partner < 64 { taken |= 1 << UInt64(partner) }
            if wrote > 0 {
                if previous == relative - 1 { em.copy(previousEnd, m.keyStart - 1) } else { em.literal(",") }
            }
            let memberStart = record ? em.position() : 0
            em.copy(m.keyStart - 1, m.valueStart)
            let valueStart = record ? em.position() : 0
            let span = notesSpans && dataTweet && (bytes[m.valueStart] | 0x20) == UInt8(ascii: "{") ? em.openSpan() : -1
            if let partner {
                emitMergeValue(partner, merge, &em)
                skip(&walk, upTo: m.valueEnd)
            } else {
                switch kind {
                case .author where authorFires:
                    emitUser(value(.authorID), &em)
                    skip(&walk, upTo: m.valueEnd)
                case .inReplyToUser where inReplyFires:
                    emitUser(value(.inReplyToUserID), &em)
                    skip(&walk, upTo: m.valueEnd)
                case .media where mediaFires:
                    emitMedia(value(.mediaKeys), &em)
                    skip(&walk, upTo: m.valueEnd)
                case .poll where lastPollID != nil:
                    emitPoll(lastPollID, &em)
                    skip(&walk, upTo: m.valueEnd)
                case .pinnedTweet where pinnedFires:
                    emitPinned(value(.pinnedTweetID), &em)
                    skip(&walk, upTo: m.valueEnd)
                case .geo where rulesApply && bytes[m.valueStart] == UInt8(ascii: "{"):
                    emitMerged(m.valueStart..<m.valueEnd, by: .place, walk: &walk, em: &em)
                case .mentions where rulesApply && bytes[m.valueStart] == UInt8(ascii: "["):
                    emitMergedList(m.valueStart..<m.valueEnd, by: .user, walk: &walk, em: &em)
                case .referencedTweets where mode == .full && bytes[m.valueStart] == UInt8(ascii: "["):
                    emitMergedList(m.valueStart..<m.valueEnd, by: .tweet, walk: &walk, em: &em)
                case .matchingRules where matchingRules != nil:
                    em.copy(matchingRules!)
                    skip(&walk, upTo: m.valueEnd)
                default:
                    emitRange(m.valueStart..<m.valueEnd, walk: &walk, em: &em)
                }
            }
            em.closeSpan(span)
            if record {
                let end = em.position()
                recorded.append(.init(keyStart: memberStart + 1, keyEnd: valueStart - 2, valueStart: valueStart, valueEnd: end))
            }
            wrote += 1
            previous = relative
            previousEnd = m.valueEnd
        }
        let membersWritten = wrote

        // Rule results the object did not have yet, in twarc's order.
        func appended(_ name: StaticString, _ kind: FlattenKey, _ fires: Bool) -> Int? {
            guard fires, !has(kind) else { return nil }
            let partner = mergeMember(literalKey: name, merge)
            if let partner, partner < 64 { taken |= 1 << UInt64(partner) }
            return partner ?? -1
        }
        for kind in Self.appendOrder {
            let (name, fires): (StaticString, Bool) =
                switch kind {
                case .author: ("author", authorFires)
                case .inReplyToUser: ("in_reply_to_user", inReplyFires)
                case .media: ("media", mediaFires)
                case .poll: ("poll", lastPollID != nil)
                case .pinnedTweet: ("pinned_tweet", pinnedFires)
                default: ("matching_rules", matchingRules != nil)
                }
            guard let partner = appended(name, kind, fires) else { continue }
            if wrote > 0 { em.literal(",") }
            let memberStart = record ? em.position() : 0
            em.literal("\"")
            em.literal(name)
            em.literal("\":")
            let valueStart = record ? em.position() : 0
            let span = notesSpans && dataTweet ? em.openSpan() : -1
            if partner >= 0 {
                emitMergeValue(partner, merge, &em)
            } else {
                switch kind {
                case .author: emitUser(value(.authorID), &em)
                case .inReplyToUser: emitUser(value(.inReplyToUserID), &em)
                case .media: emitMedia(value(.mediaKeys), &em)
                case .poll: emitPoll(lastPollID, &em)
                case .pinnedTweet: emitPinned(value(.pinnedTweetID), &em)
                default: em.copy(matchingRules!)
                }
            }
            em.closeSpan(span)
            if record {
                let end = em.position()
                recorded.append(.init(keyStart: memberStart + 1, keyEnd: valueStart - 2, valueStart: valueStart, valueEnd: end))
            }
            wrote += 1
        }

        // The merge partner's other members.
        wrote = emitMergeRest(merge, taken: taken, objectMembers: members, list: list, wrote: wrote, &em)

        if let suffix {
            if wrote > 0 { em.literal(",") }
            em.append(suffix)
            em.literal("}")
        } else if wrote == membersWritten, previous == members.count - 1 {
            em.copy(previousEnd, object.upperBound)
        } else {
            em.literal("}")
        }
    }

    /// The rule results appended to an object that lacks them, in twarc's order (then the
    /// page's `matching_rules`, which twarc adds to each data post).
    private static let appendOrder: [FlattenKey] = [.author, .inReplyToUser, .media, .poll, .pinnedTweet, .matchingRules]

    /// Whether a member of this kind is rewritten (rather than only read) in this object.
    @inline(__always)
    private func isEdit(_ kind: FlattenKey, mode: Variant, dataTweet: Bool) -> Bool {
        switch kind {
        case .author, .inReplyToUser, .media, .poll, .geo, .mentions: mode != .nestedOnly
        case .pinnedTweet, .referencedTweets: mode == .full
        case .ingest, .twarc, .matchingRules: dataTweet
        default: false
        }
    }

    /// Writes a value, with the rule objects inside it rewritten.
    private mutating func emitRange(_ range: Range<Int>, walk: inout Walk, em: inout Emission) {
        var position = range.lowerBound
        while walk.next < walk.end {
            let object = layout.ruleMarks.objects[walk.next].range
            if object.lowerBound >= range.upperBound { break }
            em.copy(position, object.lowerBound)
            emitMerged(object, by: .none, walk: &walk, em: &em)
            position = object.upperBound
        }
        em.copy(position, range.upperBound)
    }

    @inline(__always)
    private func skip(_ walk: inout Walk, upTo end: Int) {
        while walk.next < walk.end, layout.ruleMarks.objects[walk.next].range.lowerBound < end { walk.next += 1 }
    }

    /// Writes the object at `range` expanded, merged with what `by` finds for it.
    private mutating func emitMerged(_ range: Range<Int>, by: MergeBy, walk: inout Walk, em: inout Emission) {
        var scanner = JSONScanner(bytes, range: range)
        emitMerged(from: &scanner, by: by, walk: &walk, em: &em)
    }

    /// Writes the object `scanner` is at expanded, merged with what `by` finds for it, and moves
    /// the scanner past it. A rule object's members come from the first pass; others are
    /// scanned here.
    private mutating func emitMerged(from scanner: inout JSONScanner, by: MergeBy, walk: inout Walk, em: inout Emission) {
        scanner.skipWhitespace()
        let start = scanner.position
        let base = scratch.count
        let members: Range<Int>
        let list: MemberList
        if walk.next < walk.end, layout.ruleMarks.objects[walk.next].range.lowerBound == start {
            let object = layout.ruleMarks.objects[walk.next]
            walk.next += 1
            members = object.members
            list = .rule
            scanner.skip(to: object.range.upperBound)
        } else {
            do {
                try scanner.beginObject()
                var first = true
                while let key = try scanner.nextKey(first: &first) {
                    let value = try scanner.value()
                    scratch.append(
                        .init(keyStart: key.lowerBound, keyEnd: key.upperBound, valueStart: value.lowerBound, valueEnd: value.upperBound))
                }
            } catch {
                // The page was validated in the first pass; not reached.
            }
            members = base..<scratch.count
            list = .scratch
        }
        let range = start..<scanner.position
        var merge = MergeSource.none
        if let partnerKey = partnerKey(members, list, by) {
            switch by {
            case .none: break
            case .place:
                if let place = layout.placeIndex.value(partnerKey, in: bytes) { merge = .page(layout.places[place].members) }
            case .user:
                if let user = layout.userIndex.value(partnerKey, in: bytes) { merge = .page(layout.users[user].members) }
            case .tweet:
                if let slot = layout.tweetIndex.entry(partnerKey, in: bytes) {
                    let variant: Variant =
                        slot < walk.order ? .full : slot > walk.order ? .nestedOnly : .beforeReferences
                    if let index = ensureVariant(slot, variant) { merge = .variant(index) }
                }
            }
        }
        var unused: [PageLayout.Member] = []
        emitObject(
            range, members: members, list: list, mode: .full, merge: merge, dataTweet: false, suffix: nil,
            walk: &walk, em: &em, record: false, recorded: &unused)
        while scratch.count > base { scratch.removeLast() }
        skip(&walk, upTo: range.upperBound)
    }

    /// The content of the first string member that names the merge partner (`place_id`,
    /// `username`, `id`), if any.
    private func partnerKey(_ members: Range<Int>, _ list: MemberList, _ by: MergeBy) -> Range<Int>? {
        let wanted: StaticString
        switch by {
        case .none: return nil
        case .place: wanted = "place_id"
        case .user: wanted = "username"
        case .tweet: wanted = "id"
        }
        for index in members {
            let m = member(index, list)
            guard m.keyEnd - m.keyStart == wanted.utf8CodeUnitCount, FlattenKey.matches(bytes, m.keyStart..<m.keyEnd, wanted),
                bytes[m.valueStart] == UInt8(ascii: "\"")
            else { continue }
            return (m.valueStart + 1)..<(m.valueEnd - 1)
        }
        return nil
    }

    /// `mentions` / `referenced_tweets`: each object entry merged with its user or post.
    private mutating func emitMergedList(_ range: Range<Int>, by: MergeBy, walk: inout Walk, em: inout Emission) {
        var scanner = JSONScanner(bytes, range: range)
        em.copy(range.lowerBound, range.lowerBound + 1)
        var previousEnd = range.lowerBound + 1
        do {
            try scanner.beginArray()
            var first = true
            while try scanner.nextElement(first: &first) {
                let elementStart = scanner.position
                em.copy(previousEnd, elementStart)
                if bytes[elementStart] == UInt8(ascii: "{") {
                    let span = em.openSpan()
                    emitMerged(from: &scanner, by: by, walk: &walk, em: &em)
                    em.closeSpan(span)
                } else {
                    emitRange(try scanner.value(), walk: &walk, em: &em)
                }
                previousEnd = scanner.position
            }
        } catch {
            // Validated in the first pass; not reached.
        }
        em.copy(previousEnd, range.upperBound)
    }

    // MARK: - Rule values

    /// The content of a string value, or nil for any other value (twarc finds nothing then).
    @inline(__always)
    private func stringContent(_ value: Range<Int>) -> Range<Int>? {
        guard value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        return (value.lowerBound + 1)..<(value.upperBound - 1)
    }

    private mutating func emitUser(_ id: Range<Int>, _ em: inout Emission) {
        if let key = stringContent(id), let user = layout.userIndex.value(key, in: bytes) {
            em.copy(layout.users[user].range)
        } else {
            em.literal("{}")
        }
    }

    private mutating func emitMedia(_ keys: Range<Int>, _ em: inout Emission) {
        em.literal("[")
        var scanner = JSONScanner(bytes, range: keys)
        var count = 0
        do {
            try scanner.beginArray()
            var first = true
            while try scanner.nextElement(first: &first) {
                let element = try scanner.value()
                if count > 0 { em.literal(",") }
                if let key = stringContent(element), let media = layout.mediaIndex.value(key, in: bytes) {
                    em.copy(layout.media[media].range)
                } else {
                    em.literal("{}")
                }
                count += 1
            }
        } catch {
            // Validated in the first pass; not reached.
        }
        em.literal("]")
    }

    /// The last element of an array value (twarc uses `poll_ids[-1]`), nil when empty.
    private func lastElement(_ array: Range<Int>) -> Range<Int>? {
        guard bytes[array.lowerBound] == UInt8(ascii: "[") else { return nil }
        var scanner = JSONScanner(bytes, range: array)
        var last: Range<Int>?
        do {
            try scanner.beginArray()
            var first = true
            while try scanner.nextElement(first: &first) { last = try scanner.value() }
        } catch {
            return nil
        }
        return last
    }

    private mutating func emitPoll(_ id: Range<Int>?, _ em: inout Emission) {
        if let id, let key = stringContent(id), let poll = layout.pollIndex.value(key, in: bytes) {
            em.copy(layout.polls[poll].range)
        } else {
            em.literal("{}")
        }
    }

    /// `pinned_tweet` is the included post itself, not a copy: it shows it fully expanded.
    private mutating func emitPinned(_ id: Range<Int>, _ em: inout Emission) {
        if let key = stringContent(id), let slot = layout.tweetIndex.entry(key, in: bytes), let index = ensureVariant(slot, .full) {
            em.append(variantText[index])
        } else {
            em.literal("{}")
        }
    }

    // MARK: - Merges

    /// Which of the merge partner's members has the key `key` (raw key content), if any.
    private func mergeMember(_ key: UnsafeBufferPointer<UInt8>, _ merge: MergeSource) -> Int? {
        switch merge {
        case .none:
            return nil
        case .page(let members):
            for index in members where Self.keyOf(layout.members[index], in: bytes, is: key) {
                return index - members.lowerBound
            }
            return nil
        case .variant(let variant):
            return variantText[variant].withUnsafeBufferPointer { text in
                variantMembers[variant].firstIndex { Self.keyOf($0, in: text, is: key) }
            }
        }
    }

    private func mergeMember(pageKey key: Range<Int>, _ merge: MergeSource) -> Int? {
        mergeMember(UnsafeBufferPointer(rebasing: bytes[key]), merge)
    }

    private func mergeMember(literalKey name: StaticString, _ merge: MergeSource) -> Int? {
        mergeMember(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), merge)
    }

    /// True when the key of `member` (whose offsets are into `text`) is `key`.
    @inline(__always)
    private static func keyOf(
        _ member: PageLayout.Member, in text: UnsafeBufferPointer<UInt8>, is key: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard member.keyEnd - member.keyStart == key.count else { return false }
        for offset in 0..<key.count where text[member.keyStart + offset] != key[offset] { return false }
        return true
    }

    private func emitMergeValue(_ partner: Int, _ merge: MergeSource, _ em: inout Emission) {
        switch merge {
        case .none: break
        case .page(let members):
            let m = layout.members[members.lowerBound + partner]
            em.copy(m.valueStart, m.valueEnd)
        case .variant(let variant):
            let m = variantMembers[variant][partner]
            em.append(variantText[variant][m.valueStart..<m.valueEnd])
        }
    }

    /// Writes the partner's members the object did not have; returns the members written.
    private func emitMergeRest(
        _ merge: MergeSource, taken: UInt64, objectMembers: Range<Int>, list: MemberList, wrote: Int, _ em: inout Emission
    ) -> Int {
        var wrote = wrote
        func isTaken(_ index: Int, key: (Int) -> UInt8, count: Int) -> Bool {
            if index < 64 { return (taken >> UInt64(index)) & 1 != 0 }
            // Beyond the mask: look the key up among the object's members.
            for objectIndex in objectMembers {
                let m = member(objectIndex, list)
                if m.keyEnd - m.keyStart == count, (0..<count).allSatisfy({ bytes[m.keyStart + $0] == key($0) }) { return true }
            }
            return false
        }
        switch merge {
        case .none:
            break
        case .page(let members):
            var previous = -2
            for relative in 0..<members.count {
                let m = layout.members[members.lowerBound + relative]
                if isTaken(relative, key: { bytes[m.keyStart + $0] }, count: m.keyEnd - m.keyStart) { continue }
                if wrote > 0 {
                    if previous == relative - 1 {
                        em.copy(layout.members[members.lowerBound + previous].valueEnd, m.keyStart - 1)
                    } else {
                        em.literal(",")
                    }
                }
                em.copy(m.keyStart - 1, m.valueEnd)
                previous = relative
                wrote += 1
            }
        case .variant(let variant):
            let members = variantMembers[variant]
            let text = variantText[variant]
            var relative = 0
            while relative < members.count {
                let m = members[relative]
                if isTaken(relative, key: { text[m.keyStart + $0] }, count: m.keyEnd - m.keyStart) {
                    relative += 1
                    continue
                }
                // A run of members not taken is one contiguous, comma-separated span of the text.
                var last = relative
                while last + 1 < members.count {
                    let n = members[last + 1]
                    if isTaken(last + 1, key: { text[n.keyStart + $0] }, count: n.keyEnd - n.keyStart) { break }
                    last += 1
                }
                if wrote > 0 { em.literal(",") }
                em.append(text[(m.keyStart - 1)..<members[last].valueEnd])
                wrote += last - relative + 1
                relative = last + 1
            }
        }
        return wrote
    }

    // MARK: - Included posts

    private mutating func ensureVariant(_ slot: Int, _ variant: Variant) -> Int? {
        let index = slot * 3 + variant.rawValue
        switch variantState[index] {
        case .done: return index
        case .inProgress: return nil  // a cycle, which twarc cannot write either
        case .missing: break
        }
        variantState[index] = .inProgress
        let tweet = layout.includedTweets[layout.tweetIndex.values[slot]]
        var em = Emission(bytes: bytes, isCompact: layout.isCompact)
        em.out.reserveCapacity(2 * tweet.range.count + 64)
        var walk = Walk(next: tweet.ruleObjects.lowerBound, end: tweet.ruleObjects.upperBound, order: slot)
        var recorded: [PageLayout.Member] = []
        recorded.reserveCapacity(tweet.members.count + Self.appendOrder.count)
        emitObject(
            tweet.range, members: tweet.members, list: .page, mode: variant, merge: .none, dataTweet: false, suffix: nil,
            walk: &walk, em: &em, record: true, recorded: &recorded)
        em.flush()
        variantText[index] = em.out
        variantMembers[index] = recorded
        variantState[index] = .done
        return index
    }
}
