import FoundationEssentials

/// The contents of one object to deliver: records and error records, with what delivering it
/// lets the checkpoint advance to.
public struct Batch: Sendable {
    /// `\n`-terminated JSON records.
    public var records: [UInt8] = []
    public var recordCount = 0
    /// `\n`-terminated Firehose-style error records.
    public var errorRecords: [UInt8] = []
    public var errorCount = 0
    /// Wall-clock arrival of the oldest record: the object key's timestamp.
    public var firstArrival: Date?
    /// Once this batch is delivered, the source position that is fully delivered: record
    /// precise, so a batch cut part way into a page claims exactly the records it holds.
    public var checkpoint: SearchCursor?
    /// Newest and oldest post id among the records, when the pages said (per-object facts).
    public var newestID: TweetID?
    public var oldestID: TweetID?

    public init() {}

    public var byteCount: Int { records.count + errorRecords.count }
    public var isEmpty: Bool { recordCount == 0 && errorCount == 0 }
}

/// Cuts the record stream into batches by the flush policy, record by record, so an object
/// never exceeds the size hint by more than one record.
public struct Batcher<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public private(set) var policy: FlushPolicy<Instant>
    public private(set) var current = Batch()
    public init(maxBytes: Int, interval: Duration) {
        policy = FlushPolicy(maxBytes: maxBytes, interval: interval)
    }

    /// Buffers a page's records; returns the batches that filled up, oldest first.
    /// `checkpoint` is where the source stands once this page is delivered.
    /// `recordCount`/`errorCount`, when known, spare counting the lines again.
    public mutating func append(
        records: [UInt8], recordCount: Int? = nil, errorRecords: [UInt8], errorCount: Int? = nil, checkpoint: SearchCursor?,
        now: Instant, wallClock: Date
    ) -> [Batch] {
        var page = NormalizedPage()
        page.records = records
        page.recordCount = recordCount ?? records.reduce(into: 0) { if $1 == UInt8(ascii: "\n") { $0 += 1 } }
        page.errorRecords = errorRecords
        page.errorCount = errorCount ?? errorRecords.reduce(into: 0) { if $1 == UInt8(ascii: "\n") { $0 += 1 } }
        return append(page, checkpoint: checkpoint, cursors: nil, now: now, wallClock: wallClock)
    }

    /// Buffers a page's records, then its error records (which ride with the page's last
    /// record: an entry without a usable id cannot be placed in the id order a cut relies on);
    /// returns the batches that filled up, oldest first. `checkpoint` is where the source stands
    /// once the whole page is delivered; with `cursors` and the page's record ids, a batch cut
    /// part way into the page gets the cursor that claims exactly its records.
    public mutating func append(
        _ page: NormalizedPage, checkpoint: SearchCursor?, cursors: PageCursors?, now: Instant, wallClock: Date
    ) -> [Batch] {
        var sealed: [Batch] = []
        appendRecords(page, cursors: cursors, now: now, wallClock: wallClock, sealed: &sealed)
        if !page.errorRecords.isEmpty {
            if current.firstArrival == nil { current.firstArrival = wallClock }
            current.errorRecords.append(contentsOf: page.errorRecords)
            current.errorCount += page.errorCount
            if case .flush = policy.appended(bytes: page.errorRecords.count, at: now) { sealed.append(take()) }
        }
        if let checkpoint {
            if current.isEmpty, let last = sealed.indices.last {
                sealed[last].checkpoint = checkpoint
            } else {
                current.checkpoint = checkpoint
            }
        }
        return sealed
    }

    private mutating func appendRecords(
        _ page: NormalizedPage, cursors: PageCursors?, now: Instant, wallClock: Date, sealed: inout [Batch]
    ) {
        let lines = page.records
        guard !lines.isEmpty else { return }
        if current.firstArrival == nil { current.firstArrival = wallClock }
        if current.records.isEmpty { prepareRecordStorage() }
        let ids = page.recordIDs.count == page.recordCount && page.recordEnds.count == page.recordCount ? page.recordIDs : []
        // Fast path: the whole page fits below the size bound, so no record can trigger a flush.
        if policy.bufferedBytes + lines.count < policy.maxBytes {
            current.records.append(contentsOf: lines)
            current.recordCount += page.recordCount
            // The whole page goes in: its newest and oldest id are the batch's candidates.
            note([page.newestTweetID, page.oldestTweetID].compactMap { $0 })
            _ = policy.appended(bytes: lines.count, at: now)
            return
        }
        var start = 0
        var index = 0
        // After a cut, the rest of the page goes into plain storage: the delivered batch's
        // full-size buffer comes back through `recycle(_:)` and takes these few records, so a
        // fresh full-size buffer is not faulted in for them and dropped again, once per object.
        var cut = false
        while start < lines.count {
            let end = ids.isEmpty ? (lines[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (lines.count - 1)) + 1 : page.recordEnds[index]
            if current.firstArrival == nil { current.firstArrival = wallClock }
            if current.records.isEmpty, !cut { prepareRecordStorage() }
            current.records.append(contentsOf: lines[start..<end])
            current.recordCount += 1
            if !ids.isEmpty { note(ids[index...index]) }
            if case .flush = policy.appended(bytes: end - start, at: now) {
                var batch = take()
                // Cut part way into the page: claim exactly the records this batch holds (at the
                // page's last record `append` replaces it with the whole page's cursor when no
                // error record of the page is left to deliver).
                if let cursors, !ids.isEmpty { batch.checkpoint = cursors.through(ids[index]) }
                sealed.append(batch)
                cut = true
            }
            start = end
            index += 1
        }
    }

    private mutating func note<S: Sequence>(_ ids: S) where S.Element == TweetID {
        for id in ids {
            if current.newestID.map({ id > $0 }) ?? true { current.newestID = id }
            if current.oldestID.map({ id < $0 }) ?? true { current.oldestID = id }
        }
    }

    /// Takes a delivered batch's storage for the batch being filled (moving the few records it
    /// already holds), so while records keep coming (a backfill, a busy stream) one full-size
    /// buffer is faulted in once and reused instead of a fresh one per object. With nothing
    /// buffered the storage is let go: an idle daemon does not keep a full buffer resident.
    public mutating func recycle(_ storage: inout [UInt8]) {
        guard !current.records.isEmpty, storage.capacity >= current.records.capacity else { return }
        storage.removeAll(keepingCapacity: true)
        storage.append(contentsOf: current.records)
        current.records = storage
        storage = []
    }

    /// Room for a whole batch up front (address space only: pages are touched as records come),
    /// so a large buffer never grows by copying.
    private mutating func prepareRecordStorage() {
        current.records.reserveCapacity(policy.maxBytes + 64 * 1024)
        let capacity = current.records.capacity
        current.records.withUnsafeMutableBufferPointer { elements in
            guard let base = elements.baseAddress else { return }
            adviseHugePages(UnsafeMutableRawBufferPointer(start: base, count: capacity))
        }
    }

    /// The buffered batch if the interval has run out at `now`.
    public mutating func takeIfDue(now: Instant) -> Batch? {
        if case .flush = policy.check(now: now) { return take() }
        return nil
    }

    /// The buffered batch if a poll cycle's end should flush it (interval 0).
    public mutating func takeAtCycleEnd(now: Instant) -> Batch? {
        if case .flush = policy.cycleCompleted(now: now) { return take() }
        return takeIfDue(now: now)
    }

    /// Everything buffered (shutdown, `--once`, end of replay); may be empty but carry a checkpoint.
    public mutating func take() -> Batch {
        let batch = current
        current = Batch()
        policy.flushed()
        return batch
    }

    public var deadline: Instant? { policy.deadline }
}
