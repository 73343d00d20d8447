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
        for file in files {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ReplayError(file: file, reason: "cannot be opened: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            var splitter = PageSplitter()
            var pageNumber = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ReplayError(file: file, reason: "cannot be read: \(String(cString: strerror(errno)))")
                }
                let pages = count == 0 ? splitter.finish() : splitter.feed(chunk[0..<count])
                for page in pages {
                    pageNumber += 1
                    try await take(page, location: "\(file):\(pageNumber)", summary: &summary)
                }
                if count == 0 { break }
                reporter.update(read: count, pages: summary.pages + summary.malformedPages, records: summary.records)
            }
        }
    }

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

    private func take(_ page: [UInt8], location: String, summary: inout ReplaySummary) async throws {
        let context = IngestContext(query: query, fetchedAt: now(), source: .replay)
        switch PageNormalizer.normalize(page, context: context) {
        case .success(let normalized):
            summary.pages += 1
            summary.records += normalized.recordCount
            summary.errorRecords += normalized.errorCount
            try await pipeline.accept(normalized, checkpoint: nil)
        case .failure(let error):
            summary.malformedPages += 1
            summary.errorRecords += 1
            logger.warning("set aside a page that is not usable", metadata: ["replay.page": "\(location)", "error": "\(error)"])
            var rejected = NormalizedPage()
            rejected.errorRecords =
                ErrorRecord(code: "Replay.MalformedPage", message: "\(location): \(error)", raw: page, context: context).line
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
    private var scanned = 0

    enum Mode { case lines, values }

    mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] { feed(bytes[...]) }

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        return drain(final: false)
    }

    mutating func finish() -> [[UInt8]] { drain(final: true) }

    private mutating func drain(final: Bool) -> [[UInt8]] {
        var pages: [[UInt8]] = []
        var start = 0
        var index = scanned
        if mode == .lines {
            // JSON Lines: a raw newline cannot occur inside a JSON value, so pages end at each one.
            while let newline = nextNewline(from: index) {
                if !isBlank(start..<newline) { pages.append(Array(pending[start..<newline])) }
                start = newline + 1
                index = newline + 1
            }
            index = pending.count
        }
        while index < pending.count {
            let byte = pending[index]
            track(byte)
            if byte == UInt8(ascii: "\n") {
                if mode == nil, !isBlank(start..<index) { mode = depth == 0 ? .lines : .values }
                if mode == .lines || (mode == .values && depth == 0) {
                    if !isBlank(start..<index) { pages.append(Array(pending[start..<index])) }
                    start = index + 1
                    resetState()
                    if mode == .lines {
                        index += 1
                        while let newline = nextNewline(from: index) {
                            if !isBlank(start..<newline) { pages.append(Array(pending[start..<newline])) }
                            start = newline + 1
                            index = newline + 1
                        }
                        index = pending.count
                        break
                    }
                }
            }
            index += 1
        }
        if final {
            if !isBlank(start..<pending.count) { pages.append(Array(pending[start...])) }
            pending = []
            scanned = 0
        } else {
            pending.removeFirst(start)
            scanned = pending.count
        }
        return pages
    }

    private func nextNewline(from index: Int) -> Int? {
        guard index < pending.count else { return nil }
        return pending.withUnsafeBufferPointer { buffer -> Int? in
            guard let found = memchr(buffer.baseAddress! + index, 0x0A, buffer.count - index) else { return nil }
            return buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
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

    private func isBlank(_ range: Range<Int>) -> Bool {
        pending[range].allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }
}
