import FoundationEssentials
import Logging
import Metrics
import ServiceLifecycle

/// Reads `GET /2/usage/tweets` at start and every hour: one info line and the `ProjectUsage` /
/// `ProjectCap` gauges each time, a warning at 80% and at 95% of the cap.
///
/// Its own service, so a slow or failing usage endpoint never delays polling. A 403 or 404 (the
/// app's plan has no usage endpoint) turns it off with one notice; anything else is a warning
/// and the next hour tries again. Ingestion never stops because of it.
public actor UsageMonitor: Service {
    public typealias Sleep = @Sendable (Duration) async throws -> Void

    /// What one check found.
    public enum Outcome: Sendable, Equatable {
        case report(UsageReport)
        case failed(String)
        /// 403/404: the monitor is off for good.
        case disabled(status: Int)
    }

    /// The last report read, nil before the first or when the endpoint is unavailable.
    public private(set) var latest: UsageReport?
    public private(set) var isEnabled = true
    public let interval: Duration

    private let client: any HTTPClient
    private let request: HTTPRequest
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: Sleep
    private let metrics: any MetricsFactory
    private var alerts = UsageAlerts()

    public init(
        client: any HTTPClient, apiURL: String, bearerToken: Secret, timeoutSeconds: Int, logger: Logger,
        now: @escaping @Sendable () -> Date, sleep: @escaping Sleep, interval: Duration = .seconds(3600),
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.client = client
        request = Self.request(apiURL: apiURL, bearerToken: bearerToken, timeoutSeconds: timeoutSeconds)
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.interval = interval
        self.metrics = metrics
    }

    static func request(apiURL: String, bearerToken: Secret, timeoutSeconds: Int) -> HTTPRequest {
        .xAPI(apiURL: apiURL, path: "/2/usage/tweets", bearerToken: bearerToken, timeoutSeconds: timeoutSeconds)
    }

    /// Checks now, then once every `interval`, until turned off, cancelled or shut down.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while await self.isEnabled {
                try Task.checkCancellation()
                _ = try await self.check()
                guard await self.isEnabled else { return }
                try await self.sleep(self.interval)
            }
        }
    }

    /// One request, its log lines and gauges. Throws only on cancellation.
    @discardableResult
    public func check() async throws -> Outcome {
        guard isEnabled else { return .disabled(status: 0) }
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPTransportError {
            if error.kind == .cancelled { throw CancellationError() }
            return failed("\(error.kind): \(error.message)")
        }
        switch response.status {
        case 200..<300:
            do {
                let report = try UsageReport(body: response.body)
                record(report)
                return .report(report)
            } catch {
                return failed(error.description)
            }
        case 403, 404:
            isEnabled = false
            latest = nil
            logger.notice(
                "the X API's usage endpoint is not available to this app; usage monitoring is off until restart, ingestion continues",
                metadata: [
                    "usage.status": "\(response.status)", "twitter.detail": "\(APIProblem(body: response.body).summary)",
                ])
            return .disabled(status: response.status)
        default:
            return failed("HTTP \(response.status): \(APIProblem(body: response.body).summary)")
        }
    }

    private func failed(_ reason: String) -> Outcome {
        logger.warning(
            "could not read the project's usage from the X API; trying again in an hour",
            metadata: ["error": "\(reason)", "usage.retry_seconds": "\(interval.components.seconds)"])
        return .failed(reason)
    }

    private func record(_ report: UsageReport) {
        latest = report
        let at = now()
        if let usage = report.projectUsage { Gauge(label: MetricName.projectUsage.rawValue, factory: metrics).record(usage) }
        if let cap = report.projectCap { Gauge(label: MetricName.projectCap.rawValue, factory: metrics).record(cap) }
        var metadata: Logger.Metadata = [
            "usage.posts_read": "\(report.projectUsage.map(String.init) ?? "-")",
            "usage.cap": "\(report.projectCap.map(String.init) ?? "-")",
            "usage.percent": "\(report.percentUsed.map { fixed($0, digits: 1) } ?? "-")",
            "usage.cap_reset_day": "\(report.capResetDay.map(String.init) ?? "-")",
        ]
        if let reset = report.capReset(after: at) { metadata["usage.cap_reset_at"] = "\(UTCTime(reset).rfc3339Seconds)" }
        logger.info("X API usage this billing cycle", metadata: metadata)
        if let threshold = alerts.observe(report, now: at) {
            logger.warning(
                "X API usage passed \(threshold)% of the project's cap; at the cap reading stops until the cap resets",
                metadata: metadata)
        }
    }
}
