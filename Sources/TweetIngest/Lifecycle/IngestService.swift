import FoundationEssentials
import Logging
import ServiceLifecycle

/// The daemon: poll on a timer, buffer, deliver. Polling and delivery share one task on
/// purpose: while a delivery is being retried (sink down) no new page is fetched, so memory
/// stays bounded by the buffer and the checkpoint, not the API, holds what is still to come.
public struct IngestService<C: Clock>: Service where C.Duration == Duration {
    public let poller: RecentSearchPoller
    public let pipeline: Pipeline<C>
    public let clock: C
    public let pollInterval: Duration
    public let shutdownTimeout: Duration
    public let once: Bool
    public let logger: Logger
    public var health: HealthReporter?

    public init(
        poller: RecentSearchPoller, pipeline: Pipeline<C>, clock: C, pollInterval: Duration, shutdownTimeout: Duration,
        once: Bool, logger: Logger
    ) {
        self.poller = poller
        self.pipeline = pipeline
        self.clock = clock
        self.pollInterval = pollInterval
        self.shutdownTimeout = shutdownTimeout
        self.once = once
        self.logger = logger
    }

    public func run() async throws {
        var fatal: (any Error)?
        do {
            try await cancelWhenGracefulShutdown { try await pollLoop() }
        } catch is CancellationError {
            logger.notice("shutting down: polling stopped, flushing the buffer")
        } catch let error as HTTPTransportError where error.kind == .cancelled {
            logger.notice("shutting down: polling stopped, flushing the buffer")
        } catch {
            fatal = error
        }
        // A second daemon owns the checkpoint: write nothing more.
        if fatal is CheckpointConflictError { throw fatal! }
        try await flushWithinTimeout()
        logger.notice(
            "stopped",
            metadata: [
                "process.peak_rss_mb": "\(fixed(ProcessStats.peakRSSMegabytes, digits: 1))",
                "process.cpu_seconds": "\(fixed(ProcessStats.cpuSeconds, digits: 2))",
            ])
        if let fatal { throw fatal }
    }

    private func pollLoop() async throws {
        var poller = poller
        var nextPoll = clock.now
        while true {
            if clock.now >= nextPoll {
                let started = clock.now
                let pipeline = self.pipeline
                let outcome = try await poller.runCycle { taken in
                    try await pipeline.accept(taken.page, checkpoint: taken.cursor, cursors: taken.cursors)
                }
                nextPoll = started.advanced(by: pollInterval)
                log(outcome, cursor: poller.cursor)
                let finished = poller.now()
                switch outcome {
                case .completed:
                    health?.update(now: finished) {
                        $0.lastPollAt = finished
                        $0.waitingUntil = nil
                    }
                case .paused(let until, _):
                    let pause = max(0, until.timeIntervalSince(finished))
                    nextPoll = max(nextPoll, clock.now.advanced(by: .seconds(pause)))
                    health?.update(now: finished) { $0.waitingUntil = until }
                case .interrupted:
                    break
                }
                try await pipeline.cycleEnded()
                if once { return }
            }
            try await pipeline.flushIfDue()
            var wake = nextPoll
            if let deadline = await pipeline.deadline, deadline < wake { wake = deadline }
            if wake > clock.now {
                AllocatorTuning.releaseFreeMemory()
                try await clock.sleep(until: wake, tolerance: nil)
            }
        }
    }

    private func log(_ outcome: CycleOutcome, cursor: SearchCursor) {
        let since = cursor.sinceID?.description ?? "-"
        switch outcome {
        case .completed(let pages, let records):
            logger.info(
                "poll cycle complete",
                metadata: ["poll.pages": "\(pages)", "poll.records": "\(records)", "poll.since_id": "\(since)"])
        case .interrupted(let pages, let records, let reason):
            logger.warning(
                "poll cycle interrupted; the next cycle continues from where it stopped",
                metadata: ["poll.pages": "\(pages)", "poll.records": "\(records)", "error": "\(reason)"])
        case .paused(let until, let reason):
            // The poller said why in its one line (error for a cap, notice for the budget).
            logger.debug("polling paused", metadata: ["poll.resume_at": "\(UTCTime(until).rfc3339Seconds)", "poll.reason": "\(reason)"])
        }
    }

    /// Delivers what is buffered, giving up after the shutdown timeout (ECS sends SIGKILL 30 s
    /// after SIGTERM). Whatever is not delivered then was never checkpointed: the next start
    /// fetches it again.
    private func flushWithinTimeout() async throws {
        let pipeline = self.pipeline
        let clock = self.clock
        let timeout = shutdownTimeout
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await pipeline.flushAll(reason: "shutdown")
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let left = await pipeline.bufferedRecords
        let delivered = await pipeline.deliveredRecords
        if finished {
            logger.notice("buffer flushed", metadata: ["delivery.records": "\(delivered)"])
        } else {
            logger.error(
                "shutdown timeout reached before the buffer was delivered; the checkpoint was not advanced past these records, so the next start fetches them again",
                metadata: ["buffer.records": "\(left)", "shutdown.timeout_seconds": "\(timeout.components.seconds)"])
        }
    }
}
