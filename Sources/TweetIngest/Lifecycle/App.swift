import FoundationEssentials
import Logging
import ServiceLifecycle

/// Wiring: builds the pieces from a `Config` and runs them. `main` only parses the command line
/// and maps errors to exit codes; tests call these functions directly.
public enum App {
    static func localSink(_ config: Config) -> LocalDirectorySink {
        LocalDirectorySink(root: config.outputDirectory, streamName: config.streamName)
    }

    /// The S3 bucket when `S3_BUCKET` is set (after its start-up check), else the local folder.
    static func destination(_ config: Config, logger: Logger) async throws -> (
        sink: any Sink, checkpoints: any CheckpointStore, checkpointLocation: String
    ) {
        // The checkpoint (and, for record sinks, the error output) live in S3 when a bucket is
        // set, else in the local folder.
        let local = localSink(config)
        var bucket: S3Destination.Connected?
        if let s3 = config.s3 {
            bucket = try await S3Destination.connect(s3, streamName: config.streamName, http: CurlHTTPClient(), logger: logger)
        }
        let checkpoints: any CheckpointStore = bucket?.checkpoints ?? local
        let location = bucket?.checkpoints.location ?? local.checkpointPath
        let objects: any Sink = bucket?.sink ?? local
        switch config.sink {
        case .s3:
            return (objects, checkpoints, location)
        case .file:
            return (local, checkpoints, location)
        case .firehose:
            guard let firehose = config.firehose else { throw ConfigError([]) }
            // Start-up check (DescribeDeliveryStream) inside connect.
            let sink = try await FirehoseDestination.connect(firehose, errorOutput: objects, http: CurlHTTPClient(), logger: logger)
            return (sink, checkpoints, location)
        case .kafka:
            guard let kafka = config.kafka else { throw ConfigError([]) }
            let sink = try await KafkaSink.connect(kafka, streamName: config.streamName, logger: logger)
            return (sink, checkpoints, location)
        }
    }

    static func layout(_ config: Config) -> ObjectKeyLayout {
        var layout: ObjectKeyLayout
        if let s3 = config.s3 {
            layout = ObjectKeyLayout(
                prefix: s3.prefix, errorPrefix: s3.errorPrefix, streamName: config.streamName, fileExtension: config.dataFileExtension)
            layout.timeZone = s3.timeZone
            layout.partitionDefault = s3.partitioning.defaultValue
        } else {
            layout = ObjectKeyLayout(streamName: config.streamName, fileExtension: config.dataFileExtension)
        }
        layout.errorFileExtension = config.compression.fileExtension
        return layout
    }

    static func delivery(_ config: Config, sink: any Sink, checkpoints: (any CheckpointStore)?, query: String, logger: Logger)
        -> Delivery
    {
        var delivery = Delivery(
            sink: sink, checkpoints: checkpoints, layout: layout(config),
            compression: config.compression, streamName: config.streamName, query: query, logger: logger,
            now: { Date() }, sleep: { try await Task.sleep(for: .seconds($0)) })
        delivery.encoding = ObjectEncoding(
            format: config.outputFormat, parquetCompression: config.parquetCompression,
            partitioning: config.s3?.partitioning ?? Partitioning(keys: []))
        return delivery
    }

    /// The daemon (`once`: a single poll cycle, then flush and return). `metrics` is the
    /// bootstrapped swift-metrics backend, reported as EMF lines when `emitEMF`.
    public static func run(config: Config, once: Bool, logger: Logger, metrics: MetricsRegistry? = nil, emitEMF: Bool = false)
        async throws
    {
        try config.requireSearchSettings()
        guard let token = config.twitter.bearerToken, let query = config.twitter.query else { return }
        let (sink, checkpoints, checkpointLocation) = try await destination(config, logger: logger)
        let saved = try await checkpoints.load()
        let delivery = delivery(config, sink: sink, checkpoints: checkpoints, query: query, logger: logger)
        var recovered: CommitRecovery.Outcome?
        if delivery.isExactlyOnce, let recoverable = sink as? any RecoverableSink {
            // Settle the batch a crash may have cut off before anything is read.
            recovered = try await CommitRecovery.recover(saved, sink: recoverable, logger: logger)
        }
        var cursor = SearchCursor()
        if let saved {
            if saved.query == query {
                cursor = recovered?.cursor ?? saved.cursor
                logger.info(
                    "resuming from the checkpoint",
                    metadata: ["checkpoint.since_id": "\(cursor.sinceID?.description ?? "-")", "checkpoint.path": "\(checkpointLocation)"])
            } else {
                logger.warning(
                    "the checkpoint belongs to another query; starting from TWITTER_START_TIME and overwriting it after the first delivery",
                    metadata: ["checkpoint.query": "\(saved.query)", "checkpoint.path": "\(checkpointLocation)"])
            }
        }
        if var recovered {
            recovered.cursor = cursor
            delivery.resume(from: recovered)
        }
        let clock = ContinuousClock()
        let health = healthReporter(config, logger: logger)
        let http = CurlHTTPClient()
        let usage = usageMonitor(config, http: http, bearerToken: token, logger: logger)
        var poller = RecentSearchPoller(
            client: http, builder: RecentSearchRequestBuilder(config: config.twitter, bearerToken: token, query: query),
            startTime: config.twitter.startTime, cursor: cursor, logger: logger, now: { Date() },
            sleep: { seconds in
                // Rate-limit waits and backoff are progress too, for the health check.
                health.update { $0.waitingUntil = Date().addingTimeInterval(seconds) }
                try await Task.sleep(for: .seconds(seconds))
            })
        poller.monthlyCapReset = { await usage.latest?.capReset(after: Date()) }
        if config.twitter.maxPostsPerDay != nil {
            let volume = dailyPostVolume(config, http: http, bearerToken: token, query: query, logger: logger)
            poller.dailyPostVolume = { await volume.current() }
        }
        poller.notesSpans = config.outputFormat == .parquet
        let pipeline = Pipeline(
            delivery: delivery, maxBytes: config.bufferSizeBytes, interval: .seconds(config.bufferIntervalSeconds), clock: clock,
            health: health)
        var service = IngestService(
            poller: poller, pipeline: pipeline, clock: clock, pollInterval: .seconds(config.twitter.pollIntervalSeconds),
            shutdownTimeout: .seconds(config.shutdownTimeoutSeconds), once: once, logger: logger)
        service.health = health
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metrics, emitEMF {
            let reporter = MetricsReporter(
                registry: metrics, stream: config.streamName, interval: .seconds(config.metrics.intervalSeconds), clock: clock,
                write: { StandardOutput.writeLine($0) })
            services.append(.init(service: reporter))
        }
        if let metrics, let port = config.metrics.prometheusPort {
            let server = try PrometheusServer(registry: metrics, stream: config.streamName, port: port)
            logger.info("serving Prometheus metrics", metadata: ["metrics.port": "\(server.port)"])
            services.append(.init(service: server))
        }
        // Its own service: a slow usage endpoint never delays polling, and its end (403/404)
        // ends nothing else.
        services.append(.init(service: usage, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        // Started last, stopped first: on SIGTERM polling stops and the buffer is delivered while
        // the metrics services still run, and they report the final numbers.
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        logger.info(
            "tweet-ingest started",
            metadata: [
                "sink.destination": "\(sink.destination)", "stream": "\(config.streamName)",
                "poll.interval_seconds": "\(config.twitter.pollIntervalSeconds)", "once": "\(once)",
            ])
        var groupConfig = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfig.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: groupConfig).run()
    }

    static func usageMonitor(_ config: Config, http: any HTTPClient, bearerToken: Secret, logger: Logger) -> UsageMonitor {
        UsageMonitor(
            client: http, apiURL: config.twitter.apiURL, bearerToken: bearerToken, timeoutSeconds: config.twitter.requestTimeoutSeconds,
            logger: logger, now: { Date() }, sleep: { try await Task.sleep(for: $0) })
    }

    /// At most one counts/recent request a UTC day, for the budget's warning; two attempts, so a
    /// failing counts endpoint delays a poll cycle by seconds at most.
    static func dailyPostVolume(_ config: Config, http: any HTTPClient, bearerToken: Secret, query: String, logger: Logger)
        -> DailyPostVolume
    {
        var counts = CountsClient(
            client: http, builder: CountsRequestBuilder(config: config.twitter, bearerToken: bearerToken, query: query),
            sleep: { try await Task.sleep(for: .seconds($0)) })
        counts.maxAttempts = 2
        return DailyPostVolume(counts: counts, logger: logger, now: { Date() })
    }

    /// `tweet-ingest estimate`: one counts/recent request for `TWITTER_QUERY`; reads no posts.
    /// Fails as `run` does: missing settings, a refused token and a bad query throw the same errors.
    public static func estimate(config: Config) async throws -> Estimate {
        try config.requireSearchSettings()
        guard let token = config.twitter.bearerToken, let query = config.twitter.query else { throw ConfigError([]) }
        let counts = CountsClient(
            client: CurlHTTPClient(), builder: CountsRequestBuilder(config: config.twitter, bearerToken: token, query: query),
            sleep: { try await Task.sleep(for: .seconds($0)) })
        return Estimate(
            counts: try await counts.fetch(), query: query, expansions: config.twitter.expansions,
            pricePerPostRead: config.twitter.pricePerPostRead, pricePerUserRead: config.twitter.pricePerUserRead,
            maxPostsPerDay: config.twitter.maxPostsPerDay)
    }

    static func healthReporter(_ config: Config, logger: Logger) -> HealthReporter {
        do {
            try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        } catch {
            logger.warning(
                "STATE_DIR is not writable; `tweet-ingest healthcheck` will report the daemon as down",
                metadata: ["state.dir": "\(config.stateDirectory)", "error": "\(fileErrorReason(error))"])
        }
        let state = HealthState(
            pid: ProcessInfo.processInfo.processIdentifier, startedAt: Date(), pollIntervalSeconds: config.twitter.pollIntervalSeconds,
            bufferIntervalSeconds: config.bufferIntervalSeconds, requestTimeoutSeconds: config.twitter.requestTimeoutSeconds)
        let reporter = HealthReporter(path: config.healthFile, initial: state)
        reporter.update { _ in }
        return reporter
    }

    /// Replays recorded pages into the configured sink.
    public static func replay(files: [String], config: Config, logger: Logger) async throws -> ReplaySummary {
        let sink = try await destination(config, logger: logger).sink
        let pipeline = Pipeline(
            delivery: delivery(config, sink: sink, checkpoints: nil, query: config.twitter.query ?? "", logger: logger),
            maxBytes: config.bufferSizeBytes, interval: .seconds(config.bufferIntervalSeconds), clock: ContinuousClock())
        let replayer = Replayer(pipeline: pipeline, query: config.twitter.query, logger: logger, now: { Date() })
        var summary = try await replayer.replay(files: files)
        summary.destination = sink.destination
        logger.info(
            "replay complete",
            metadata: [
                "replay.pages": "\(summary.pages)", "replay.records": "\(summary.records)",
                "replay.error_records": "\(summary.errorRecords)", "delivery.objects": "\(summary.objects)",
                "sink.destination": "\(sink.destination)",
            ])
        return summary
    }
}
