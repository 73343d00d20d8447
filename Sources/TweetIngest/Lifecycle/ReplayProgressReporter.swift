import FoundationEssentials
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Where a replay's progress goes and how often: redrawn in place on a terminal, or logged.
public struct ReplayProgressOptions: Sendable {
    enum Output: Sendable {
        /// The line between two `\r`s, padded over the previous one, and a newline after the
        /// last. The cursor waits at the line's start, so a log line written to the same
        /// terminal meanwhile overwrites the bar instead of trailing after it.
        case redraw(write: @Sendable ([UInt8]) -> Void)
        /// An info line "replay progress" with the counts as metadata.
        case log
        case off
    }

    var output: Output
    /// At most one line per interval, and always one at the end.
    var interval: Duration
    /// Monotonic time since a fixed origin (an injected clock in tests).
    var now: @Sendable () -> Duration

    init(output: Output, interval: Duration, clock: some Clock<Duration>) {
        self.output = output
        self.interval = interval
        let origin = clock.now
        self.now = { origin.duration(to: clock.now) }
    }

    /// A bar on stderr redrawn up to four times a second when stderr is a terminal, as
    /// `twarc2 flatten` does; otherwise a log line every 5 seconds, for a container's log.
    public static func automatic() -> ReplayProgressOptions {
        if isatty(STDERR_FILENO) == 1 {
            return ReplayProgressOptions(
                output: .redraw(write: { StandardOutput.writeAll($0, to: STDERR_FILENO) }), interval: .milliseconds(250),
                clock: ContinuousClock())
        }
        return ReplayProgressOptions(output: .log, interval: .seconds(5), clock: ContinuousClock())
    }

    public static var off: ReplayProgressOptions { ReplayProgressOptions(output: .off, interval: .zero, clock: ContinuousClock()) }
}

/// Shows a replay's progress. The replayer calls `update` once per chunk it reads (never per
/// record); a line is written only when the interval has passed since the last one, and
/// `finish` always writes the last.
struct ReplayProgressReporter {
    private let options: ReplayProgressOptions
    private let logger: Logger
    private var progress: ReplayProgress
    private let startedAt: Duration
    private var shownAt: Duration?
    private var drawnWidth = 0

    init(options: ReplayProgressOptions, logger: Logger, totalBytes: Int64?) {
        self.options = options
        self.logger = logger
        self.progress = ReplayProgress(totalBytes: totalBytes)
        self.startedAt = options.now()
    }

    /// After a chunk of `read` bytes, with the pages and records taken so far.
    mutating func update(read: Int, pages: Int, records: Int) {
        progress.bytesRead += Int64(read)
        if case .off = options.output { return }
        let now = options.now() - startedAt
        if let shownAt, now - shownAt < options.interval { return }
        show(pages: pages, records: records, at: now, last: false)
    }

    /// When every page is delivered.
    mutating func finish(pages: Int, records: Int) {
        if case .off = options.output { return }
        show(pages: pages, records: records, at: options.now() - startedAt, last: true)
    }

    /// Ends a drawn line when the replay fails, so its error starts on a line of its own.
    mutating func abandon() {
        if case .redraw(let write) = options.output, drawnWidth > 0 { write([0x0A]) }
        drawnWidth = 0
    }

    private mutating func show(pages: Int, records: Int, at now: Duration, last: Bool) {
        shownAt = now
        progress.pages = pages
        progress.records = records
        progress.elapsed = now
        switch options.output {
        case .redraw(let write):
            let line = progress.line
            let width = line.utf8.count
            var bytes = Array(("\r" + line).utf8)
            if width < drawnWidth { bytes += [UInt8](repeating: 0x20, count: drawnWidth - width) }
            bytes.append(last ? 0x0A : 0x0D)
            drawnWidth = width
            write(bytes)
        case .log:
            logger.info("replay progress", metadata: progress.metadata)
        case .off:
            break
        }
    }
}
