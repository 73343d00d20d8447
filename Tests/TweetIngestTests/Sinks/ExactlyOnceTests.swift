import Foundation
import Testing

@testable import TweetIngest

/// The commit protocol under a crash at every moment: a small recent-search source (ids
/// newest first, `since_id`/`until_id`, pages cut across batches by the size bound), the real
/// `Batcher`, `Delivery`, `SearchCursor` and `CommitRecovery`, and a bucket in memory that dies
/// at its n-th request, before or after the request lands. After the restart the bucket must
/// hold every post exactly once. Today's protocol (objects first, checkpoint after) runs through
/// the same check and is shown to double posts, so the check can fail.
@Suite("Exactly once across crashes")
struct ExactlyOnceTests {
    /// Posts released per poll cycle: ids ascending in time, as snowflakes are.
    static let releases: [[UInt64]] = [Array(101...117), Array(118...131), Array(132...140)]
    static let pageSize = 5
    /// About four 13-byte records per batch, so most pages are cut.
    static let maxBytes = 50

    struct Crashed: Error {}

    /// Dies at the `at`-th request: `landing` true means that request takes effect first (its
    /// answer is what is lost). Every later request fails too, as in a killed process.
    final class Fuse: Sendable {
        private let state: Locked<(count: Int, at: Int?, landing: Bool, blown: Bool)>
        init(at: Int?, landing: Bool) { state = Locked((0, at, landing, false)) }

        /// Runs `effect` unless the process is dead; throws after it when this is the fatal request.
        func request(_ effect: () -> Void) throws {
            let (run, blow) = state.withLock { s -> (Bool, Bool) in
                if s.blown { return (false, true) }
                s.count += 1
                guard s.count == s.at else { return (true, false) }
                s.blown = true
                return (s.landing, true)
            }
            if run { effect() }
            if blow { throw CancellationError() }
        }

        var requests: Int { state.value.count }
    }

    /// Strongly consistent storage with create-only writes, like S3 with `If-None-Match: *`.
    final class Bucket: Sendable {
        let objects = Locked<[String: [UInt8]]>([:])
        let checkpoint = Locked<Checkpoint?>(nil)

        func ids() -> [UInt64] {
            objects.value.filter { !$0.key.hasPrefix("errors/") }.values.flatMap { body in
                body.split(separator: UInt8(ascii: "\n")).compactMap {
                    UInt64(String(decoding: $0.dropFirst(7).dropLast(2), as: UTF8.self))
                }
            }
        }
    }

    struct RecoverableBucketSink: RecoverableSink {
        let bucket: Bucket
        let fuse: Fuse
        var destination: String { "memory://bucket" }

        func deliver(_ object: DeliveryObject) async throws {
            try fuse.request {
                bucket.objects.withLock { objects in
                    if object.createOnly, objects[object.key] != nil { return }
                    objects[object.key] = object.body
                }
            }
        }
        func objectExists(_ key: String) async throws -> Bool {
            var exists = false
            try fuse.request { exists = bucket.objects.value[key] != nil }
            return exists
        }
        func removeObject(_ key: String) async throws {
            try fuse.request { _ = bucket.objects.withLock { $0.removeValue(forKey: key) } }
        }
        func abortUnfinishedUploads(key: String) async throws -> Int {
            try fuse.request {}
            return 0
        }
        func takeAbandonedUploads() -> [AbandonedUpload] { [] }
        func abortUpload(_ upload: AbandonedUpload) async throws {}
    }

    /// The same bucket through a sink that cannot recover: Delivery falls back to today's order.
    struct PlainBucketSink: Sink {
        let inner: RecoverableBucketSink
        var destination: String { inner.destination }
        func deliver(_ object: DeliveryObject) async throws { try await inner.deliver(object) }
    }

    struct BucketCheckpoints: CheckpointStore {
        let bucket: Bucket
        let fuse: Fuse
        func load() async throws -> Checkpoint? {
            var saved: Checkpoint?
            try fuse.request { saved = bucket.checkpoint.value }
            return saved
        }
        func save(_ checkpoint: Checkpoint) async throws {
            try fuse.request { bucket.checkpoint.withLock { $0 = checkpoint } }
        }
    }

    /// One daemon process: recovery, then poll cycles over what is released, until a cycle
    /// finds nothing new. Throws `CancellationError` when the fuse blows.
    static func runProcess(bucket: Bucket, fuse: Fuse, exactlyOnce: Bool, cycles: Int) async throws {
        let recoverable = RecoverableBucketSink(bucket: bucket, fuse: fuse)
        let checkpoints = BucketCheckpoints(bucket: bucket, fuse: fuse)
        let sink: any Sink = exactlyOnce ? recoverable : PlainBucketSink(inner: recoverable)
        let delivery = Delivery(
            sink: sink, checkpoints: checkpoints, layout: ObjectKeyLayout(streamName: "tweets"), compression: .none,
            streamName: "tweets", query: "q", logger: silentLogger, now: { Date(timeIntervalSince1970: 1_767_323_100) },
            sleep: { _ in }, randomUnit: { 0.5 })
        let saved = try await checkpoints.load()
        var cursor = saved?.cursor ?? SearchCursor()
        if delivery.isExactlyOnce {
            let outcome = try await CommitRecovery.recover(saved, sink: recoverable, logger: silentLogger)
            delivery.resume(from: outcome)
            cursor = outcome.cursor
        }
        var batcher = Batcher<ContinuousClock.Instant>(maxBytes: maxBytes, interval: .seconds(900))
        let now = ContinuousClock.now
        let released = releases.prefix(cycles).flatMap { $0 }
        while true {
            // One cycle: everything in (since_id, until_id), newest first, in pages.
            let matching = released.filter { id in
                (cursor.sinceID.map { id > $0.value } ?? true) && (cursor.pending.map { id < $0.untilID.value } ?? true)
            }.sorted(by: >)
            if matching.isEmpty { break }
            let pages = stride(from: 0, to: matching.count, by: pageSize).map { Array(matching[$0..<min($0 + pageSize, matching.count)]) }
            for (index, ids) in pages.enumerated() {
                var page = NormalizedPage()
                for id in ids {
                    page.records += Array("{\"id\":\"\(id)\"}\n".utf8)
                    page.recordIDs.append(TweetID(id))
                    page.recordEnds.append(page.records.count)
                }
                page.recordCount = ids.count
                page.meta = PageMeta(
                    newestID: TweetID(ids[0]), oldestID: TweetID(ids.last!), resultCount: ids.count,
                    nextToken: index + 1 < pages.count ? "next" : nil)
                let next = cursor.advanced(by: page.meta, startTime: nil)
                let cursors = PageCursors(before: cursor, after: next, meta: page.meta, cycleStartTime: nil)
                for batch in batcher.append(page, checkpoint: next, cursors: cursors, now: now, wallClock: Date()) {
                    try await delivery.deliver(batch, reason: "size")
                }
                cursor = next
            }
            // The cycle ends with the buffer interval at 0: what is left goes out.
            let rest = batcher.take()
            if !rest.isEmpty || rest.checkpoint != nil { try await delivery.deliver(rest, reason: "cycle-end") }
        }
        try await delivery.commitOutstanding()
    }

    /// Runs one process that dies at request `crashAt`, then one that runs to the end; returns
    /// how many times each released post is in the bucket.
    static func scenario(crashAt: Int?, landing: Bool, exactlyOnce: Bool) async throws -> (copies: [UInt64: Int], requests: Int) {
        let bucket = Bucket()
        // The first process sees two cycles released, the restarted one all three.
        let fuse = Fuse(at: crashAt, landing: landing)
        do {
            try await runProcess(bucket: bucket, fuse: fuse, exactlyOnce: exactlyOnce, cycles: 2)
        } catch is CancellationError {}
        try await runProcess(bucket: bucket, fuse: Fuse(at: nil, landing: false), exactlyOnce: exactlyOnce, cycles: 3)
        var copies: [UInt64: Int] = [:]
        for id in bucket.ids() { copies[id, default: 0] += 1 }
        return (copies, fuse.requests)
    }

    static let allIDs = Set(releases.flatMap { $0 })

    @Test func aCrashAtAnyRequestBeforeOrAfterItLandsLosesNothingAndDoublesNothing() async throws {
        let clean = try await Self.scenario(crashAt: nil, landing: false, exactlyOnce: true)
        #expect(Set(clean.copies.keys) == Self.allIDs && clean.copies.values.allSatisfy { $0 == 1 })
        #expect(clean.requests > 10, "the first process makes enough requests to crash at: \(clean.requests)")
        for crashAt in 1...clean.requests {
            for landing in [false, true] {
                let run = try await Self.scenario(crashAt: crashAt, landing: landing, exactlyOnce: true)
                let lost = Self.allIDs.subtracting(run.copies.keys)
                let doubled = run.copies.filter { $0.value > 1 }.keys.sorted()
                #expect(lost.isEmpty, "crash at request \(crashAt) (landed: \(landing)): lost \(lost.sorted())")
                #expect(doubled.isEmpty, "crash at request \(crashAt) (landed: \(landing)): doubled \(doubled)")
            }
        }
    }

    @Test func todaysProtocolThroughTheSameCheckDoublesPosts() async throws {
        let clean = try await Self.scenario(crashAt: nil, landing: false, exactlyOnce: false)
        #expect(Set(clean.copies.keys) == Self.allIDs && clean.copies.values.allSatisfy { $0 == 1 })
        var doubledRuns = 0
        for crashAt in 1...clean.requests {
            let run = try await Self.scenario(crashAt: crashAt, landing: true, exactlyOnce: false)
            #expect(Self.allIDs.subtracting(run.copies.keys).isEmpty, "at least once: nothing lost")
            if run.copies.values.contains(where: { $0 > 1 }) { doubledRuns += 1 }
        }
        #expect(doubledRuns > 0, "the check finds the duplicate window of objects-then-checkpoint")
    }

    @Test func aBatchCutPartWayIntoAPageClaimsExactlyItsRecords() {
        var page = NormalizedPage()
        for id in [UInt64(50), 49, 48, 47, 46, 45] {
            page.records += Array("{\"id\":\"\(id)\"}\n".utf8)
            page.recordIDs.append(TweetID(id))
            page.recordEnds.append(page.records.count)
        }
        page.recordCount = 6
        page.meta = PageMeta(newestID: TweetID(50), oldestID: TweetID(45), resultCount: 6, nextToken: "more")
        let before = SearchCursor(sinceID: TweetID(10))
        let after = before.advanced(by: page.meta, startTime: nil)
        var batcher = Batcher<ContinuousClock.Instant>(maxBytes: 40, interval: .seconds(900))
        let sealed = batcher.append(
            page, checkpoint: after, cursors: PageCursors(before: before, after: after, meta: page.meta, cycleStartTime: nil),
            now: .now, wallClock: Date())
        #expect(sealed.count == 1 && sealed[0].recordCount == 4)
        // The first object holds 50 to 47: after it, since_id stays 10 and only ids below 47 are left.
        #expect(sealed[0].checkpoint == SearchCursor(sinceID: TweetID(10), pending: .init(untilID: TweetID(47), newestID: TweetID(50))))
        #expect(sealed[0].newestID == TweetID(50) && sealed[0].oldestID == TweetID(47))
        #expect(batcher.current.checkpoint == after, "the rest of the page carries the page's own cursor")
    }
}
