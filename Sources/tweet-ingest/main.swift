import ArgumentParser
import FoundationEssentials
import Logging
import Metrics
import TweetIngest

#if canImport(Glibc)
    import Glibc
#endif

/// The process entry: a synchronous `main` that runs the command on the concurrency pool and
/// parks the main thread with every signal blocked, until the command ends the process.
///
/// An `async` main parks the main thread in `dispatch_main()`, which leaves it through
/// `pthread_exit`: a forced unwind of the main thread's stack that reads the unwind tables and
/// calls libstdc++'s personality routine for each frame, so ~1.5 MiB of `.eh_frame`, libgcc and
/// libstdc++ stayed resident in an idle daemon for nothing (README, "Memory"). Nothing here runs
/// on the main actor or the main queue. Signals stay with the pool's threads, which block them
/// for libdispatch's signal sources (SIGTERM, SIGINT), exactly as when the main thread had exited.
@main
enum Entry {
    static func main() {
        // Before anything else: `run` may exec itself once so GnuTLS stays uninitialised.
        GnuTLSImplicitInit.reexecIfNeeded()
        #if canImport(Glibc)
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
        #endif
        Task.detached {
            await TweetIngestCommand.main()  // exits by itself on an error
            exit(0)
        }
        while true { pause() }
    }
}

struct TweetIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tweet-ingest",
        abstract: "Poll X recent search and deliver Firehose-style JSON Lines objects. Configured by environment variables (see README).",
        subcommands: [Run.self, Replay.self, Estimate.self, CheckConfig.self, Healthcheck.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")
    @Flag(help: "Run one poll cycle (all pages), flush, and exit.") var once = false

    func run() async throws {
        let (config, logger) = try start()
        let metrics = MetricsRegistry()
        MetricsSystem.bootstrap(metrics)
        let emitEMF = config.metrics.emf.map { $0 == .on } ?? !usesTextLogs(config)
        try await guarded { try await App.run(config: config, once: once, logger: logger, metrics: metrics, emitEMF: emitEMF) }
    }
}

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Feed recorded API pages (one JSON page per file, or twarc JSONL with one page per line) through the pipeline.")
    @Argument(help: "Files of recorded recent-search pages.") var files: [String]

    func run() async throws {
        let (config, logger) = try start()
        let summary = try await guarded { try await App.replay(files: files, config: config, logger: logger) }
        print(
            "replayed \(summary.pages) pages: \(summary.records) records, \(summary.errorRecords) set aside as errors, \(summary.objects) objects delivered to \(summary.destination)"
        )
    }
}

struct Estimate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Count the posts TWITTER_QUERY matched in each of the last 7 days (counts/recent, reads no posts) and project a month's reads and cost."
    )
    @Flag(help: "Print the same as one JSON object.") var json = false

    func run() async throws {
        let (config, _) = try start(quiet: true)
        let estimate = try await guarded { try await App.estimate(config: config) }
        print(json ? estimate.json : estimate.text)
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the environment and print the effective configuration, secrets redacted.")

    func run() async throws {
        let (config, _) = try start(quiet: true)
        for warning in config.warnings { print("warning: \(warning)") }
        for (variable, value) in config.summary { print("\(variable.rawValue)=\(value)") }
        if let credentials = config.sink == .s3 ? config.s3?.credentials : config.sink == .firehose ? config.firehose?.credentials : nil {
            let outcome = await CredentialCheck.run(credentials, http: CurlHTTPClient())
            print(outcome.line)
            if let error = outcome.error { throw ExitCode(ExitStatus.code(for: error)) }
        }
    }
}

struct Healthcheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Exit 0 while the daemon on this machine is alive and making progress, 1 with the reason otherwise (the container health check)."
    )

    func run() async throws {
        let (config, _) = try start(quiet: true)
        if let problem = HealthReporter.check(path: config.healthFile) {
            print("unhealthy: \(problem)")
            throw ExitCode(1)
        }
        print("healthy")
    }
}

private func usesTextLogs(_ config: Config) -> Bool {
    config.logFormat.map { $0 == .text } ?? Logger.Level.defaultFormatIsText()
}

/// Reads the environment (the only place that does), bootstraps logging, exits 78 on bad input.
private func start(quiet: Bool = false) throws -> (Config, Logger) {
    let environment = ProcessInfo.processInfo.environment
    let allocator = AllocatorTuning.apply(environment: environment)
    let config: Config
    do {
        config = try Config(environment: environment)
    } catch {
        StandardOutput.writeErrorLine(error.description)
        throw ExitCode(ExitStatus.config)
    }
    let text = usesTextLogs(config)
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: config.logLevel, format: text ? .text : .json)
    }
    let logger = Logger(label: "tweet-ingest")
    if !quiet { for warning in config.warnings { logger.warning("\(warning)") } }
    logger.debug("malloc settings", metadata: allocator.mapValues { .string($0) })
    return (config, logger)
}

/// Maps what ended the process to a message and an exit code.
private func guarded<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        let code = ExitStatus.code(for: error)
        StandardOutput.writeErrorLine("error: \(error)")
        throw ExitCode(code)
    }
}
