import Foundation
import Logging

/// A log handler that keeps every line (level, message, metadata) for tests to read.
struct RecordingLogHandler: LogHandler {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Store: Sendable {
        private let recorded = Locked<[Line]>([])
        var lines: [Line] { recorded.value }
        func append(_ line: Line) { recorded.withLock { $0.append(line) } }
        var logger: Logger { Logger(label: "recording") { _ in RecordingLogHandler(store: self) } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
