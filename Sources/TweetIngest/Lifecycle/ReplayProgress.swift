import FoundationEssentials
import Logging

/// How far a replay has got, and the line and log metadata made from it. Pure: the counts and
/// the elapsed time come in, text comes out, so every rate and estimate is testable.
struct ReplayProgress: Sendable, Equatable {
    var bytesRead: Int64 = 0
    /// The inputs' sizes added up; nil when one of them has none (a pipe), and then there is no
    /// percentage and no time left.
    var totalBytes: Int64?
    var pages = 0
    var records = 0
    /// Since the replay started, by the injected clock.
    var elapsed: Duration = .zero

    private var seconds: Double {
        let (whole, attoseconds) = elapsed.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(bytesRead) / Double(totalBytes))
    }

    var recordsPerSecond: Double? { seconds > 0 ? Double(records) / seconds : nil }

    /// The bytes still to read at the byte rate so far.
    var secondsLeft: Double? {
        guard let totalBytes, seconds > 0, bytesRead > 0 else { return nil }
        return Double(max(0, totalBytes - bytesRead)) / (Double(bytesRead) / seconds)
    }

    /// One terminal line, shaped like `twarc2 flatten`'s bar and short enough for 80 columns:
    /// `[####......]  41% 82.1 MB of 200.3 MB, 258 pages, 12900 rec/s, 0:03 left`.
    var line: String {
        var text = ""
        if let fraction {
            let filled = Int((fraction * Double(Self.barWidth)).rounded(.down))
            let percent = String(Int((fraction * 100).rounded(.down)))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: Self.barWidth - filled) + "] "
            text += String(repeating: " ", count: 3 - percent.count) + percent + "% "
            text += Self.bytes(bytesRead) + " of " + Self.bytes(totalBytes ?? 0)
        } else {
            text += Self.bytes(bytesRead)
        }
        text += ", \(pages) page" + (pages == 1 ? "" : "s")
        text += ", " + (recordsPerSecond.map { String(Int($0.rounded())) } ?? "-") + " rec/s"
        if let secondsLeft { text += ", " + Self.clock(secondsLeft) + " left" }
        return text
    }

    /// The same for a log line (dotted keys, plain numbers).
    var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [
            "replay.bytes_read": "\(bytesRead)", "replay.pages": "\(pages)", "replay.records": "\(records)",
            "replay.elapsed_seconds": "\(Int(seconds.rounded()))",
        ]
        if let totalBytes { metadata["replay.bytes_total"] = "\(totalBytes)" }
        if let recordsPerSecond { metadata["replay.records_per_second"] = "\(Int(recordsPerSecond.rounded()))" }
        if let secondsLeft { metadata["replay.seconds_left"] = "\(Int(secondsLeft.rounded(.up)))" }
        return metadata
    }

    static let barWidth = 10

    /// Decimal units with one decimal, as twarc's bar and `ls -h --si` show them.
    static func bytes(_ count: Int64) -> String {
        let units = ["kB", "MB", "GB", "TB", "PB"]
        guard count >= 1000 else { return "\(count) B" }
        var value = Double(count) / 1000
        var unit = 0
        while value >= 999.95, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }
}
