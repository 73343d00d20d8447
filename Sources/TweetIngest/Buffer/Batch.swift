import FoundationEssentials

/// The contents of one object to deliver: records and error records, with what delivering it
/// lets the checkpoint advance to.
public struct Batch: Sendable {
    /// `\n`-terminated JSON records.
    public var records: [UInt8] = []
    public var recordCount = 0
    /// Where the records' large values are, when the pages noted them (Parquet output):
    /// offsets in `records`, in order.
    public var spans: [RecordSpan] = []
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
    /// Storage for the records after a cut in place (`cutInPlace`), handed back by `recycle(_:)`:
    /// one small buffer goes round instead of fresh memory at every cut.
    private var spare: [UInt8] = []
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
        append(page, inPlace: nil, checkpoint: checkpoint, cursors: cursors, now: now, wallClock: wallClock)
    }

    /// Buffers a page whose records `write` puts straight into the batch being filled, after
    /// what it already holds, so they are not copied again (replay: most of a record's cost
    /// after normalizing was this copy). `write` returns the page as
    /// `append(_:checkpoint:cursors:now:wallClock:)` takes it, but with `records` empty and
    /// `recordEnds` counted from the first byte it wrote; or a failure, having written nothing.
    /// `bound` is the most `write` is expected to write: with less room left, the records are
    /// written apart and copied in, so the buffer never grows by copying itself. A page that
    /// fills the batch is cut where it lies, record by record as `append` cuts (the records
    /// after the cut, and only those, move to the next batch).
    public mutating func append<Failure: Error>(
        writingAtMost bound: Int, checkpoint: SearchCursor?, cursors: PageCursors?, now: Instant, wallClock: Date,
        _ write: (inout [UInt8]) -> Result<NormalizedPage, Failure>
    ) -> (page: Result<NormalizedPage, Failure>, sealed: [Batch]) {
        let wasEmpty = current.records.isEmpty
        if wasEmpty { prepareRecordStorage() }
        defer {
            // Nothing buffered after all: an idle daemon keeps no buffer resident.
            if current.records.isEmpty, wasEmpty { current.records = [] }
        }
        guard current.records.capacity - current.records.count >= bound else {
            var apart: [UInt8] = []
            let result = write(&apart)
            guard case .success(var page) = result else { return (result, []) }
            page.records = apart
            return (result, append(page, checkpoint: checkpoint, cursors: cursors, now: now, wallClock: wallClock))
        }
        let base = current.records.count
        let result = write(&current.records)
        guard case .success(var page) = result else {
            current.records.removeSubrange(base...)
            return (result, [])
        }
        let written = current.records.count - base
        if !page.locatesRecords, written > 0, policy.bufferedBytes + written >= policy.maxBytes {
            // Not cut where the records end without their ends: take them out and cut by lines.
            page.records = Array(current.records[base...])
            current.records.removeSubrange(base...)
            return (result, append(page, checkpoint: checkpoint, cursors: cursors, now: now, wallClock: wallClock))
        }
        return (result, append(page, inPlace: written, checkpoint: checkpoint, cursors: cursors, now: now, wallClock: wallClock))
    }

    /// `inPlace`: the page's records (that many bytes) are already at the end of the batch.
    private mutating func append(
        _ page: NormalizedPage, inPlace: Int?, checkpoint: SearchCursor?, cursors: PageCursors?, now: Instant, wallClock: Date
    ) -> [Batch] {
        var sealed: [Batch] = []
        appendRecords(page, inPlace: inPlace, cursors: cursors, now: now, wallClock: wallClock, sealed: &sealed)
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
        _ page: NormalizedPage, inPlace: Int?, cursors: PageCursors?, now: Instant, wallClock: Date, sealed: inout [Batch]
    ) {
        let lines = page.records
        let count = inPlace ?? lines.count
        guard count > 0 else { return }
        if current.firstArrival == nil { current.firstArrival = wallClock }
        if current.records.isEmpty { prepareRecordStorage() }
        // Fast path: the whole page fits below the size bound, so no record can trigger a flush.
        if policy.bufferedBytes + count < policy.maxBytes {
            if inPlace == nil { current.records.append(contentsOf: lines) }
            appendSpans(page.spans, at: current.records.count - count)
            current.recordCount += page.recordCount
            // The whole page goes in: its newest and oldest id are the batch's candidates.
            note([page.newestTweetID, page.oldestTweetID].compactMap { $0 })
            _ = policy.appended(bytes: count, at: now)
            return
        }
        if let inPlace {
            return cutInPlace(
                page, from: current.records.count - inPlace, cursors: cursors, now: now, wallClock: wallClock, sealed: &sealed)
        }
        let ids = page.locatesRecords ? page.recordIDs : []
        var start = 0
        var index = 0
        // After a cut, the rest of the page goes into plain storage: the delivered batch's
        // full-size buffer comes back through `recycle(_:)` and takes these few records, so a
        // fresh full-size buffer is not faulted in for them and dropped again, once per object.
        var cut = false
        var span = 0
        while start < lines.count {
            let end = ids.isEmpty ? (lines[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (lines.count - 1)) + 1 : page.recordEnds[index]
            if current.firstArrival == nil { current.firstArrival = wallClock }
            if current.records.isEmpty, !cut { prepareRecordStorage() }
            let offset = current.records.count - start
            while span < page.spans.count, page.spans[span].start < end {
                current.spans.append(page.spans[span].shifted(by: offset))
                span += 1
            }
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

    /// The slow path for a page written in place from `base` (its record ends and ids known):
    /// record by record; at a cut, the bytes after the record move to plain storage for the next
    /// batch (the delivered batch's storage takes them over in `recycle(_:)`).
    private mutating func cutInPlace(
        _ page: NormalizedPage, from base: Int, cursors: PageCursors?, now: Instant, wallClock: Date, sealed: inout [Batch]
    ) {
        appendSpans(page.spans, at: base)
        var start = base
        var previousEnd = 0
        for index in 0..<page.recordCount {
            let length = page.recordEnds[index] - previousEnd
            previousEnd = page.recordEnds[index]
            let end = start + length
            if current.firstArrival == nil { current.firstArrival = wallClock }
            current.recordCount += 1
            note(page.recordIDs[index...index])
            start = end
            guard case .flush = policy.appended(bytes: length, at: now) else { continue }
            var rest = spare
            spare = []
            rest.removeAll(keepingCapacity: true)
            rest.append(contentsOf: current.records[end...])
            current.records.removeSubrange(end...)
            var kept = current.spans.count
            while kept > 0, current.spans[kept - 1].start >= end { kept -= 1 }
            let restSpans = current.spans[kept...].map { $0.shifted(by: -end) }
            current.spans.removeSubrange(kept...)
            var batch = take()
            // As `appendRecords` does: exactly the records this batch holds.
            if let cursors { batch.checkpoint = cursors.through(page.recordIDs[index]) }
            sealed.append(batch)
            current.records = rest
            current.spans = restSpans
            start = 0
        }
    }

    /// The page's spans, for records written at `offset` of the batch.
    private mutating func appendSpans(_ spans: [RecordSpan], at offset: Int) {
        guard !spans.isEmpty else { return }
        current.spans.reserveCapacity(current.spans.count + spans.count)
        for span in spans { current.spans.append(span.shifted(by: offset)) }
    }

    private mutating func note<S: Sequence>(_ ids: S) where S.Element == TweetID {
        for id in ids {
            if current.newestID.map({ id > $0 }) ?? true { current.newestID = id }
            if current.oldestID.map({ id < $0 }) ?? true { current.oldestID = id }
        }
    }

    /// Takes a delivered batch's storage for the batch being filled (moving the few records it
    /// already holds), so while records keep coming (a backfill, a busy stream) one full-size
    /// buffer is faulted in once and reused instead of a fresh one per object; the small buffer
    /// those records were in is kept for the next cut. With nothing buffered the storage (and
    /// the small buffer) is let go: an idle daemon does not keep a full buffer resident.
    public mutating func recycle(_ storage: inout [UInt8]) {
        guard !current.records.isEmpty, storage.capacity >= current.records.capacity else {
            if current.records.isEmpty { spare = [] }
            return
        }
        storage.removeAll(keepingCapacity: true)
        storage.append(contentsOf: current.records)
        spare = current.records
        current.records = storage
        storage = []
    }

    /// Room past the size bound for the page that fills a batch, written in place before it is
    /// cut (`append(writingAtMost:...)`): address space, touched only as far as that page goes.
    static var inPlaceRoom: Int { 4 << 20 }

    /// Room for a whole batch up front (address space only: pages are touched as records come),
    /// so a large buffer never grows by copying.
    private mutating func prepareRecordStorage() {
        reserveInHugePages(&current.records, capacity: policy.maxBytes + 64 * 1024 + Self.inPlaceRoom)
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
