import FoundationEssentials

/// How far the recent-search stream has been taken, as a value that can be saved.
///
/// Recent search pages newest first, so a poll cycle that stops half-way (an error, a restart)
/// has taken the newest tweets but not the older ones. `pending` remembers that gap: the next
/// cycle fetches `since_id < id < until_id` before moving `sinceID` up to the cycle's newest id.
/// Nothing in the gap is skipped and nothing taken is fetched again.
public struct SearchCursor: Codable, Equatable, Sendable {
    public struct Pending: Codable, Equatable, Sendable {
        /// Tweets older than this are still to fetch.
        public var untilID: TweetID
        /// The cycle's newest id (its first page's `meta.newest_id`): the next `since_id`.
        public var newestID: TweetID
        /// The cycle's `start_time` when it began without a `since_id`.
        public var startTime: Date?
    }

    /// Every tweet up to this id has been taken; nil before the first tweet.
    public var sinceID: TweetID?
    public var pending: Pending?
    /// Posts read today, for `TWITTER_MAX_POSTS_PER_DAY`; absent in checkpoints written before
    /// the budget existed (they decode with nil).
    public var reads: DailyReads?

    public init(sinceID: TweetID? = nil, pending: Pending? = nil, reads: DailyReads? = nil) {
        self.sinceID = sinceID
        self.pending = pending
        self.reads = reads
    }

    /// Query parameters for the first page of the next cycle. `startTime` is used only when there
    /// is no `since_id` yet.
    public func firstPageParameters(startTime: Date) -> [(String, String)] {
        var parameters: [(String, String)] = []
        if let sinceID {
            parameters.append(("since_id", sinceID.description))
        } else if let start = pending.map({ $0.startTime }) ?? startTime {
            parameters.append(("start_time", UTCTime(start).rfc3339Seconds))
        }
        if let pending { parameters.append(("until_id", pending.untilID.description)) }
        return parameters
    }

    /// The cursor once a page with this `meta` has been taken. `startTime` is the cycle's
    /// `start_time` when it had no `since_id`.
    public func advanced(by meta: PageMeta, startTime: Date?) -> SearchCursor {
        var next = self
        if var pending {
            if let oldest = meta.oldestID { pending.untilID = min(pending.untilID, oldest) }
            if meta.nextToken == nil {
                next.sinceID = pending.newestID
                next.pending = nil
            } else {
                next.pending = pending
            }
            return next
        }
        guard let newest = meta.newestID, let oldest = meta.oldestID else { return self }
        if meta.nextToken == nil {
            next.sinceID = max(newest, sinceID ?? newest)
        } else {
            next.pending = Pending(untilID: oldest, newestID: newest, startTime: sinceID == nil ? startTime : nil)
        }
        return next
    }

    /// The cursor once only the posts of a page with ids at or above `id` are taken (recent
    /// search orders a response newest first, by id): the rest of the page, and every older
    /// post of the cycle, stay in the gap `until_id = id`, fetched again after a restart. So a
    /// batch that ends part way into a page claims exactly the records it holds.
    public func taken(through id: TweetID, of meta: PageMeta, startTime: Date?) -> SearchCursor {
        var next = self
        if var pending {
            pending.untilID = min(pending.untilID, id)
            next.pending = pending
            return next
        }
        guard let newest = meta.newestID else { return self }
        next.pending = Pending(untilID: id, newestID: newest, startTime: sinceID == nil ? startTime : nil)
        return next
    }
}

/// Where the source stands before and after one page, so a batch cut part way into the page
/// gets a cursor claiming exactly its records (`through`).
public struct PageCursors: Sendable {
    public var before: SearchCursor
    public var after: SearchCursor
    public var meta: PageMeta
    /// The cycle's `start_time` when it had no `since_id`.
    public var cycleStartTime: Date?

    public init(before: SearchCursor, after: SearchCursor, meta: PageMeta, cycleStartTime: Date?) {
        self.before = before
        self.after = after
        self.meta = meta
        self.cycleStartTime = cycleStartTime
    }

    /// The cursor once the page's posts down to `id` are delivered; the page's reads count whole
    /// (they are read, and billed, either way).
    public func through(_ id: TweetID) -> SearchCursor {
        var cursor = before.taken(through: id, of: meta, startTime: cycleStartTime)
        cursor.reads = after.reads
        return cursor
    }
}
