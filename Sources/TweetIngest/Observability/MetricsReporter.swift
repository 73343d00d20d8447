import FoundationEssentials
import ServiceLifecycle

/// Writes the interval's metrics as Embedded Metric Format lines on stdout every `interval`
/// (and once more at shutdown), so they reach CloudWatch through the awslogs driver with no agent.
public struct MetricsReporter<C: Clock>: Service where C.Duration == Duration {
    public let registry: MetricsRegistry
    public let stream: String
    public let interval: Duration
    public let clock: C
    public let write: @Sendable (String) -> Void

    public init(registry: MetricsRegistry, stream: String, interval: Duration, clock: C, write: @escaping @Sendable (String) -> Void) {
        self.registry = registry
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.write = write
    }

    public func run() async throws {
        let clock = self.clock
        let interval = self.interval
        try? await cancelWhenGracefulShutdown {
            while true {
                try await clock.sleep(for: interval)
                emit()
            }
        }
        emit()
    }

    public func emit(now: Date = Date()) {
        for line in EmbeddedMetricFormat.lines(registry.takeInterval(), stream: stream, timestamp: now) {
            write(line)
        }
    }
}
