/// The member names twarc's `flatten` reads or writes (`twarc/expansions.py`, `expand_payload`),
/// plus the top-level names a record reserves. Keys are matched on their raw bytes: the API
/// never escapes these ASCII names.
enum FlattenKey: UInt8 {
    // Rule sources: an object holding one of these is rewritten.
    case authorID, inReplyToUserID, mediaKeys, pollIDs, geo, mentions, referencedTweets, pinnedTweetID
    // Rule targets: written by a rule, in place when the object already has them.
    case author, inReplyToUser, media, poll, pinnedTweet
    // Top level of a data tweet: ours (`ingest`) or twarc's page-wide additions.
    case ingest, twarc, matchingRules

    var isRuleSource: Bool { rawValue <= FlattenKey.pinnedTweetID.rawValue }

    /// The key whose raw content (between the quotes) is `key`, if it is one twarc's rules use.
    @inline(__always)
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ key: Range<Int>) -> FlattenKey? {
        switch key.count {
        case 3: return matches(bytes, key, "geo") ? .geo : nil
        case 4: return matches(bytes, key, "poll") ? .poll : nil
        case 5: return matches(bytes, key, "media") ? .media : nil
        case 6:
            if matches(bytes, key, "author") { return .author }
            return matches(bytes, key, "ingest") ? .ingest : nil
        case 7: return matches(bytes, key, "__twarc") ? .twarc : nil
        case 8:
            if matches(bytes, key, "mentions") { return .mentions }
            return matches(bytes, key, "poll_ids") ? .pollIDs : nil
        case 9: return matches(bytes, key, "author_id") ? .authorID : nil
        case 10: return matches(bytes, key, "media_keys") ? .mediaKeys : nil
        case 12: return matches(bytes, key, "pinned_tweet") ? .pinnedTweet : nil
        case 14: return matches(bytes, key, "matching_rules") ? .matchingRules : nil
        case 15: return matches(bytes, key, "pinned_tweet_id") ? .pinnedTweetID : nil
        case 16: return matches(bytes, key, "in_reply_to_user") ? .inReplyToUser : nil
        case 17: return matches(bytes, key, "referenced_tweets") ? .referencedTweets : nil
        case 19: return matches(bytes, key, "in_reply_to_user_id") ? .inReplyToUserID : nil
        default: return nil
        }
    }

    /// True when `key` names a rule source: the object holding it must be rewritten.
    @inline(__always)
    static func isRuleSource(_ bytes: UnsafeBufferPointer<UInt8>, _ key: Range<Int>) -> Bool {
        switch key.count {
        case 3, 8, 9, 10, 15, 17, 19: return classify(bytes, key)?.isRuleSource ?? false
        default: return false
        }
    }

    @inline(__always)
    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ key: Range<Int>, _ literal: StaticString) -> Bool {
        let pointer = literal.utf8Start
        var offset = 0
        for index in key {
            if bytes[index] != pointer[offset] { return false }
            offset += 1
        }
        return true
    }
}
