import FoundationEssentials
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What a replay did, for the summary line.
public struct ReplaySummary: Sendable, Equatable {
    public var pages = 0
    public var records = 0
    public var errorRecords = 0
    public var malformedPages = 0
    public var objects = 0
    /// Where they went (`file://...`, `s3://...`, `firehose://...`, `kafka://...`).
    public var destination = ""
}

/// Feeds recorded API pages through the same normalize/buffer/sink path as the daemon: a file
/// holds one page (pretty-printed or not) or one page per line (what `twarc2 search` writes).
public struct Replayer<C: Clock>: Sendable where C.Duration == Duration {
    public let pipeline: Pipeline<C>
    public let query: String?
    public let logger: Logger
    public let now: @Sendable () -> Date
    public let progress: ReplayProgressOptions

    public init(
        pipeline: Pipeline<C>, query: String?, logger: Logger, now: @escaping @Sendable () -> Date,
        progress: ReplayProgressOptions = .automatic()
    ) {
        self.pipeline = pipeline
        self.query = query
        self.logger = logger
        self.now = now
        self.progress = progress
    }

    public func replay(files: [String]) async throws -> ReplaySummary {
        var summary = ReplaySummary()
        var reporter = ReplayProgressReporter(options: progress, logger: logger, totalBytes: Self.totalSize(of: files))
        do {
            try await replay(files: files, into: &summary, reporter: &reporter)
        } catch {
            reporter.abandon()
            throw error
        }
        try await pipeline.flushAll(reason: "end-of-replay")
        reporter.finish(pages: summary.pages + summary.malformedPages, records: summary.records)
        summary.objects = await pipeline.deliveredObjects
        return summary
    }

    private func replay(files: [String], into summary: inout ReplaySummary, reporter: inout ReplayProgressReporter) async throws {
        // Pages are normalized where they were read; when the buffer has no room for another
        // read, the unconsumed input (a page cut by the end of a read) moves to its front.
        // Not zeroed: only bytes `read` wrote are ever looked at. In huge pages where it can be.
        var buffer = [UInt8](unsafeUninitializedCapacity: Self.bufferSize) { storage, count in
            adviseHugePages(UnsafeMutableRawBufferPointer(storage))
            count = Self.bufferSize
        }
        for file in files {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ReplayError(file: file, reason: "cannot be opened: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            var splitter = PageSplitter()
            var pageNumber = 0
            var start = 0
            var filled = 0
            while true {
                if buffer.count - filled < Self.readSize {
                    if start > 0 {
                        buffer.withUnsafeMutableBytes { raw in
                            _ = memmove(raw.baseAddress!, raw.baseAddress! + start, filled - start)
                        }
                        filled -= start
                        start = 0
                    }
                    if buffer.count - filled < Self.readSize { buffer.append(contentsOf: repeatElement(0, count: Self.readSize)) }
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, Self.readSize) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ReplayError(file: file, reason: "cannot be read: \(String(cString: strerror(errno)))")
                }
                filled += count
                let (pages, consumed) = buffer.withUnsafeBufferPointer {
                    splitter.pages(in: UnsafeBufferPointer(rebasing: $0[start..<filled]), final: count == 0)
                }
                for page in pages {
                    pageNumber += 1
                    try await take(
                        (start + page.lowerBound)..<(start + page.upperBound), of: buffer, location: "\(file):\(pageNumber)",
                        summary: &summary)
                }
                start += consumed
                if count == 0 { break }
                reporter.update(read: count, pages: summary.pages + summary.malformedPages, records: summary.records)
            }
        }
    }

    /// Bytes asked for per read (and how often the progress line is updated).
    static var readSize: Int { 1 << 20 }
    /// The read buffer to start with: several reads, so the cut page moves once per few MiB.
    static var bufferSize: Int { 4 << 20 }

    /// The files' sizes added up, for the percentage and time left; nil when one is not a
    /// regular file (a pipe, /dev/stdin) or cannot be read (opening it reports why).
    static func totalSize(of files: [String]) -> Int64? {
        var total: Int64 = 0
        for file in files {
            var status = stat()
            guard stat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            total += Int64(status.st_size)
        }
        return total
    }

    private func take(
        _ page: Range<Int>, of buffer: [UInt8], location: String, summary: inout ReplaySummary
    ) async throws {
        let context = IngestContext(query: query, fetchedAt: now(), source: .replay)
        // Normalized straight into the pipeline's buffer.
        switch try await pipeline.accept(page: buffer, page, context: context, checkpoint: nil) {
        case .success(let normalized):
            summary.pages += 1
            summary.records += normalized.recordCount
            summary.errorRecords += normalized.errorCount
        case .failure(let error):
            summary.malformedPages += 1
            summary.errorRecords += 1
            logger.warning("set aside a page that is not usable", metadata: ["replay.page": "\(location)", "error": "\(error)"])
            var rejected = NormalizedPage()
            rejected.errorRecords =
                ErrorRecord(code: "Replay.MalformedPage", message: "\(location): \(error)", raw: Array(buffer[page]), context: context)
                .line
            rejected.errorCount = 1
            try await pipeline.accept(rejected, checkpoint: nil)
        }
        try await pipeline.flushIfDue()
    }
}

public struct ReplayError: Error, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "replay: \(file) \(reason)" }
}

/// Cuts a byte stream into pages. If the first line is a whole JSON value the input is JSON
/// Lines (one page per line, a broken line is one bad page); otherwise it is one or more
/// pretty-printed values, cut where their braces balance.
struct PageSplitter {
    private var pending: [UInt8] = []
    private var mode: Mode?
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Bytes at the start of the unconsumed input already tracked by the last call.
    private var scanned = 0

    enum Mode { case lines, values }

    mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] { feed(bytes[...]) }

    /// Copies `bytes` in and returns the pages completed; `pages(in:final:)` spares the copies.
    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        return drainPending(final: false)
    }

    mutating func finish() -> [[UInt8]] { drainPending(final: true) }

    private mutating func drainPending(final: Bool) -> [[UInt8]] {
        var pending: [UInt8] = []
        swap(&pending, &self.pending)
        let (ranges, consumed) = pending.withUnsafeBufferPointer { pages(in: $0, final: final) }
        let split = ranges.map { Array(pending[$0]) }
        pending.removeFirst(consumed)
        swap(&pending, &self.pending)
        return split
    }

    /// The pages complete in `bytes` (the unconsumed input: what an earlier call consumed is
    /// gone, what it did not is still at the start), and how many leading bytes they use up;
    /// with `final`, the rest is a page too. The caller drops the consumed bytes before the
    /// next call.
    mutating func pages(in bytes: UnsafeBufferPointer<UInt8>, final: Bool) -> (pages: [Range<Int>], consumed: Int) {
        var pages: [Range<Int>] = []
        var start = 0
        var index = scanned
        if mode == .lines {
            // JSON Lines: a raw newline cannot occur inside a JSON value, so pages end at each one.
            while let newline = Self.nextNewline(bytes, from: index) {
                if !Self.isBlank(bytes, start..<newline) { pages.append(start..<newline) }
                start = newline + 1
                index = newline + 1
            }
            index = bytes.count
        }
        while index < bytes.count {
            let byte = bytes[index]
            track(byte)
            if byte == UInt8(ascii: "\n") {
                if mode == nil, !Self.isBlank(bytes, start..<index) { mode = depth == 0 ? .lines : .values }
                if mode == .lines || (mode == .values && depth == 0) {
                    if !Self.isBlank(bytes, start..<index) { pages.append(start..<index) }
                    start = index + 1
                    resetState()
                    if mode == .lines {
                        index += 1
                        while let newline = Self.nextNewline(bytes, from: index) {
                            if !Self.isBlank(bytes, start..<newline) { pages.append(start..<newline) }
                            start = newline + 1
                            index = newline + 1
                        }
                        index = bytes.count
                        break
                    }
                }
            }
            index += 1
        }
        if final {
            if !Self.isBlank(bytes, start..<bytes.count) { pages.append(start..<bytes.count) }
            scanned = 0
            return (pages, bytes.count)
        }
        scanned = bytes.count - start
        return (pages, start)
    }

    private static func nextNewline(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> Int? {
        guard index < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + index, 0x0A, bytes.count - index) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func track(_ byte: UInt8) {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            return
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
        default: break
        }
    }

    private mutating func resetState() {
        depth = 0
        inString = false
        escaped = false
    }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }
}
