import FoundationEssentials
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One log event per line on stdout: JSON for CloudWatch and log shippers, or `key=value` text
/// for a terminal. Libraries only take a `Logger`; `main` bootstraps this once.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case json, text }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format

    public init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = UTCTime(Date()).rfc3339Milliseconds
        var line: [UInt8] = []
        switch format {
        case .json:
            JSONWriting.appendLiteral("{\"time\":", to: &line)
            JSONWriting.appendString(time, to: &line)
            JSONWriting.appendLiteral(",\"level\":", to: &line)
            JSONWriting.appendString(event.level.rawValue, to: &line)
            JSONWriting.appendLiteral(",\"message\":", to: &line)
            JSONWriting.appendString("\(event.message)", to: &line)
            for key in merged.keys.sorted() {
                line.append(UInt8(ascii: ","))
                JSONWriting.appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                JSONWriting.appendString("\(merged[key]!)", to: &line)
            }
            line.append(UInt8(ascii: "}"))
        case .text:
            var text = "\(time) \(event.level.rawValue.uppercased()) \(event.message)"
            for key in merged.keys.sorted() {
                let value = "\(merged[key]!)"
                text += " \(key)=" + (value.contains(" ") ? "\"\(value)\"" : value)
            }
            line = Array(text.utf8)
        }
        StandardOutput.writeLine(line)
    }
}

/// Log events and metric lines share stdout; whole lines, never interleaved.
public enum StandardOutput {
    private static let lock = Mutex(())

    public static func writeLine(_ text: String) { writeLine(Array(text.utf8)) }

    public static func writeLine(_ bytes: [UInt8]) {
        var line = bytes
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in writeAll(line, to: STDOUT_FILENO) }
    }

    /// One line on stderr, for what `main` says before or without logging (configuration errors).
    public static func writeErrorLine(_ text: String) {
        writeAll(Array((text + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes every byte (retrying short writes and EINTR); gives up silently on an error, as a
    /// log line has nowhere else to go.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
    }
}

extension Logger.Level {
    /// Text on a terminal, JSON otherwise (containers, log shippers).
    public static func defaultFormatIsText() -> Bool { isatty(STDOUT_FILENO) == 1 }
}
