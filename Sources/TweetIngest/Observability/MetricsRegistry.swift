import CoreMetrics
import Synchronization

/// A swift-metrics backend that keeps current values in memory, for two readers: the CloudWatch
/// Embedded Metric Format lines written every interval, and the Prometheus endpoint.
public final class MetricsRegistry: MetricsFactory, Sendable {
    /// One time series: a metric name and its extra dimensions (beyond `Stream`).
    public struct Series: Hashable, Sendable {
        public var name: String
        public var dimensions: [String: String]
    }

    private let values = Mutex<[Series: Double]>([:])
    private let reported = Mutex<[Series: Double]>([:])

    public init() {}

    func add(_ series: Series, _ delta: Double) {
        values.withLock { $0[series, default: 0] += delta }
    }

    func set(_ series: Series, _ value: Double) {
        values.withLock { $0[series] = value }
    }

    /// Current values (counters are totals since start).
    public func snapshot() -> [Series: Double] { values.withLock { $0 } }

    /// Counters as increments since the previous call, gauges as their current value; every
    /// declared metric without dimensions appears (zero when idle), so "no delivery" alarms see
    /// zeros rather than missing data.
    public func takeInterval() -> [Series: Double] {
        let current = snapshot()
        return reported.withLock { previous in
            var interval: [Series: Double] = [:]
            for name in MetricName.allCases where name.dimensionless {
                interval[Series(name: name.rawValue, dimensions: [:])] = 0
            }
            for (series, value) in current {
                let isGauge = MetricName(rawValue: series.name)?.kind == .gauge
                interval[series] = isGauge ? value : value - previous[series, default: 0]
            }
            previous = current
            return interval
        }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        RegistryHandler(registry: self, series: Self.series(label, dimensions))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        RegistryHandler(registry: self, series: Self.series(label, dimensions))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        RegistryHandler(registry: self, series: Self.series(label, dimensions))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        RegistryHandler(registry: self, series: Self.series(label, dimensions))
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private static func series(_ label: String, _ dimensions: [(String, String)]) -> Series {
        Series(name: label, dimensions: Dictionary(dimensions, uniquingKeysWith: { $1 }))
    }
}

extension MetricName {
    var dimensionless: Bool { self != .apiRequests }
}

/// One handler type for every kind: counters add, recorders and meters set.
private final class RegistryHandler: CounterHandler, RecorderHandler, MeterHandler, TimerHandler, Sendable {
    let registry: MetricsRegistry
    let series: MetricsRegistry.Series

    init(registry: MetricsRegistry, series: MetricsRegistry.Series) {
        self.registry = registry
        self.series = series
    }

    func increment(by amount: Int64) { registry.add(series, Double(amount)) }
    func reset() { registry.set(series, 0) }
    func record(_ value: Int64) { registry.set(series, Double(value)) }
    func record(_ value: Double) { registry.set(series, value) }
    func set(_ value: Int64) { registry.set(series, Double(value)) }
    func set(_ value: Double) { registry.set(series, value) }
    func increment(by amount: Double) { registry.add(series, amount) }
    func decrement(by amount: Double) { registry.add(series, -amount) }
    func recordNanoseconds(_ duration: Int64) { registry.set(series, Double(duration) / 1e9) }
}
