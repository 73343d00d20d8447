import FoundationEssentials
import Metrics

/// The buffer between source and sink: batches fill by the flush policy and are delivered in
/// order; a sealed batch stays here until it is durable, so a shutdown mid-write finishes it.
public actor Pipeline<C: Clock> where C.Duration == Duration {
    private var batcher: Batcher<C.Instant>
    private var sealed: [Batch] = []
    private let delivery: Delivery
    private let clock: C
    private let health: HealthReporter?
    public private(set) var deliveredRecords = 0
    public private(set) var deliveredObjects = 0
    public init(delivery: Delivery, maxBytes: Int, interval: Duration, clock: C, health: HealthReporter? = nil) {
        self.delivery = delivery
        self.clock = clock
        self.health = health
        batcher = Batcher(maxBytes: maxBytes, interval: interval)
    }

    /// Buffers a page; delivers whatever fills up.
    /// `cursors` (where the source stood before and after the page) lets a batch cut part way
    /// into the page claim exactly its records.
    public func accept(_ page: NormalizedPage, checkpoint: SearchCursor?, cursors: PageCursors? = nil) async throws {
        try await deliver(filled: batcher.append(page, checkpoint: checkpoint, cursors: cursors, now: clock.now, wallClock: delivery.now()))
    }

    /// Normalizes the page at `range` of `bytes` straight into the buffer (its records are not
    /// copied again), then buffers it as `accept(_:checkpoint:cursors:)` does. Returns the page
    /// (its `records` empty: they are in the buffer) or why it is unusable (nothing buffered).
    public func accept(
        page bytes: [UInt8], _ range: Range<Int>, context: IngestContext, checkpoint: SearchCursor?
    ) async throws -> Result<NormalizedPage, PageError> {
        let now = clock.now
        let wallClock = delivery.now()
        // Pages that become Parquet note where their records' large values are (`RecordSpan`).
        let notesSpans = delivery.encoding.format == .parquet
        let (result, filled) = bytes.withUnsafeBufferPointer { all in
            let page = UnsafeBufferPointer(rebasing: all[range])
            // Records are about twice the page (expansions inlined); four times leaves room.
            return batcher.append(
                writingAtMost: 4 * page.count + 64 * 1024, checkpoint: checkpoint, cursors: nil, now: now, wallClock: wallClock
            ) { storage in
                PageNormalizer.normalize(page, context: context, notingSpans: notesSpans, appendingTo: &storage)
            }
        }
        guard case .success = result else { return result }
        try await deliver(filled: consume filled)
        return result
    }

    /// After a page: the batches it filled go out. `filled` is consumed, so `sealed` holds the
    /// only reference to each batch's storage and `recycle` can reuse it (a second reference
    /// made it copy: a fresh buffer paged in, and the old one unmapped, at every object).
    private func deliver(filled: consuming [Batch]) async throws {
        sealed.append(contentsOf: consume filled)
        observe()
        try await deliverSealed(reason: "size")
    }

    /// A poll cycle ended: flush if the interval is 0 (or due), and save a checkpoint that
    /// moved without new records.
    public func cycleEnded() async throws {
        if let batch = batcher.takeAtCycleEnd(now: clock.now) {
            sealed.append(batch)
        } else if batcher.current.isEmpty, batcher.current.checkpoint != nil {
            sealed.append(batcher.take())
        }
        try await deliverSealed(reason: "cycle-end")
    }

    public func flushIfDue() async throws {
        if let batch = batcher.takeIfDue(now: clock.now) { sealed.append(batch) }
        try await deliverSealed(reason: "interval")
    }

    /// Everything buffered, now (shutdown, `--once`, end of replay).
    public func flushAll(reason: String) async throws {
        let rest = batcher.take()
        if !rest.isEmpty || rest.checkpoint != nil { sealed.append(rest) }
        try await deliverSealed(reason: reason)
        try await delivery.commitOutstanding()
    }

    /// When the interval will force a flush.
    public var deadline: C.Instant? { batcher.deadline }

    /// Records still waiting for delivery.
    public var bufferedRecords: Int { batcher.current.recordCount + sealed.reduce(0) { $0 + $1.recordCount } }

    private func deliverSealed(reason: String) async throws {
        while !sealed.isEmpty {
            deliveredObjects += try await delivery.deliver(sealed[0], reason: reason)
            var delivered = sealed.removeFirst()
            deliveredRecords += delivered.recordCount
            batcher.recycle(&delivered.records)
            observe(delivered: true)
        }
    }

    /// Buffer fill and data freshness (Firehose's DataFreshness) as gauges and health state.
    private func observe(delivered: Bool = false) {
        let now = delivery.now()
        let oldest = sealed.first?.firstArrival ?? batcher.current.firstArrival
        let bytes = batcher.current.byteCount + sealed.reduce(0) { $0 + $1.byteCount }
        Gauge(label: MetricName.bufferFillBytes.rawValue).record(bytes)
        Gauge(label: MetricName.dataFreshnessSeconds.rawValue).record(oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        health?.update(now: now) { state in
            state.oldestUndeliveredAt = oldest
            if delivered { state.lastDeliveryAt = now }
        }
    }
}
