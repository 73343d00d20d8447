import FoundationEssentials

/// CloudWatch Embedded Metric Format: a log line that CloudWatch Logs turns into metrics with
/// no agent. One document per set of dimension values (`ApiRequests` per `Status`).
public enum EmbeddedMetricFormat {
    public static let namespace = "TweetIngest"

    /// JSON lines for one interval of metrics, `\n`-terminated.
    public static func lines(_ interval: [MetricsRegistry.Series: Double], stream: String, timestamp: Date) -> [String] {
        let milliseconds = Int64(timestamp.timeIntervalSince1970 * 1000)
        var groups: [[String: String]: [(String, Double)]] = [:]
        for (series, value) in interval {
            groups[series.dimensions, default: []].append((series.name, value))
        }
        return groups.keys.sorted { $0.description < $1.description }.map { dimensions in
            let metrics = groups[dimensions]!.sorted { $0.0 < $1.0 }
            let dimensionNames = ["Stream"] + dimensions.keys.sorted()
            var out: [UInt8] = []
            JSONWriting.appendLiteral("{\"_aws\":{\"Timestamp\":", to: &out)
            out += Array(String(milliseconds).utf8)
            JSONWriting.appendLiteral(",\"CloudWatchMetrics\":[{\"Namespace\":", to: &out)
            JSONWriting.appendString(namespace, to: &out)
            JSONWriting.appendLiteral(",\"Dimensions\":[[", to: &out)
            for (index, name) in dimensionNames.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriting.appendString(name, to: &out)
            }
            JSONWriting.appendLiteral("]],\"Metrics\":[", to: &out)
            for (index, metric) in metrics.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriting.appendLiteral("{\"Name\":", to: &out)
                JSONWriting.appendString(metric.0, to: &out)
                JSONWriting.appendLiteral(",\"Unit\":", to: &out)
                JSONWriting.appendString(MetricName(rawValue: metric.0)?.unit ?? "None", to: &out)
                out.append(UInt8(ascii: "}"))
            }
            JSONWriting.appendLiteral("]}]},\"Stream\":", to: &out)
            JSONWriting.appendString(stream, to: &out)
            for name in dimensions.keys.sorted() {
                out.append(UInt8(ascii: ","))
                JSONWriting.appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriting.appendString(dimensions[name]!, to: &out)
            }
            for metric in metrics {
                out.append(UInt8(ascii: ","))
                JSONWriting.appendString(metric.0, to: &out)
                out.append(UInt8(ascii: ":"))
                out += Array(format(metric.1).utf8)
            }
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Prometheus text exposition (version 0.0.4) of the current totals.
public enum PrometheusExposition {
    public static func text(_ snapshot: [MetricsRegistry.Series: Double], stream: String) -> String {
        var byName: [String: [(MetricsRegistry.Series, Double)]] = [:]
        for (series, value) in snapshot { byName[series.name, default: []].append((series, value)) }
        var text = ""
        for metric in MetricName.allCases {
            let samples = byName[metric.rawValue] ?? (metric.dimensionless ? [(.init(name: metric.rawValue, dimensions: [:]), 0)] : [])
            guard !samples.isEmpty else { continue }
            text += "# TYPE \(metric.prometheusName) \(metric.kind == .counter ? "counter" : "gauge")\n"
            for (series, value) in samples.sorted(by: { $0.0.dimensions.description < $1.0.dimensions.description }) {
                let labels = [("stream", stream)] + series.dimensions.sorted { $0.key < $1.key }.map { ($0.key.lowercased(), $0.value) }
                let rendered = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                text += "\(metric.prometheusName){\(rendered)} \(EmbeddedMetricFormat.format(value))\n"
            }
        }
        return text
    }

    private static func escape(_ value: String) -> String {
        value.replacingEvery("\\", with: "\\\\").replacingEvery("\"", with: "\\\"").replacingEvery("\n", with: "\\n")
    }
}
