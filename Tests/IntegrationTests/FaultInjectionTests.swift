import Foundation
import Testing

@testable import TweetIngest

/// The promise users care most about, proved by breaking things: the real binary, moto behind a
/// fault-injecting proxy, the fake X API with faults on. Each scenario ends by reading the bucket
/// back with boto3 and comparing with every tweet the fake API served, and prints one line
/// (`fault-scenario | ...`) for the README's table.
@Suite("Fault injection", .serialized)
struct FaultInjectionTests {
    static let bucket = "fault-tests"

    struct Rig {
        let moto: S3MotoServer
        let proxy: FaultProxy
        let api: FakeXAPI
        let environment: [String: String]

        init(faultRate: Double = 0, api: FakeXAPI, extra: [String: String]) async throws {
            moto = try await S3MotoServer(buckets: [FaultInjectionTests.bucket])
            proxy = try FaultProxy(upstream: moto.endpoint, faultRate: faultRate, seed: 7)
            self.api = api
            var environment = TweetIngest.environment(api: api, outputDir: try Paths.temporaryDirectory("fault-out"))
            environment.merge(
                try moto.environment(
                    bucket: FaultInjectionTests.bucket,
                    extra: ["AWS_ENDPOINT_URL_S3": proxy.endpoint, "BUFFER_SIZE_MB": "1", "SHUTDOWN_TIMEOUT_SECONDS": "5"].merging(extra) {
                        $1
                    })
            ) { $1 }
            self.environment = environment
        }

        func report(_ name: String, daemons: [ChildProcess], note: String = "") throws -> ScenarioReport {
            let delivered = try S3Boto.recordIDs(moto, bucket: FaultInjectionTests.bucket)
            let report = ScenarioReport(
                name: name, served: try api.servedIDs(), deliveredIDs: delivered.ids, peakRSSMegabytes: ScenarioReport.peakRSS(daemons),
                note: note)
            print(report)
            return report
        }
    }

    static func deliveredRecords(_ process: ChildProcess) -> Int {
        process.lines.filter { $0.contains("delivered object") && !$0.contains("errors/") }.compactMap { line in
            line.range(of: #"batch\.records=([0-9]+)"#, options: .regularExpression).flatMap { Int(line[$0].split(separator: "=")[1]) }
        }.reduce(0, +)
    }

    @Test func thirtyPercentOfS3WritesFailYetNothingIsLostOrDuplicated() async throws {
        let rig = try await Rig(faultRate: 0.3, api: try FakeXAPI(releases: [700, 1400, 2000], multiply: 5), extra: [:])
        var daemons: [ChildProcess] = []
        for cycle in 1...4 {
            let (status, daemon) = try TweetIngest.run(["run", "--once"], environment: rig.environment, timeout: 300)
            daemons.append(daemon)
            #expect(status == 0, "cycle \(cycle): \(daemon.allOutput)")
        }
        let stats = try await rig.proxy.stats()
        #expect(stats.faulted > 3, "the proxy really broke writes: \(stats)")
        let report = try rig.report(
            "30% of S3 writes fail (503, 500, drop before/after)", daemons: daemons,
            note: "\(stats.faulted) of \(stats.requests) requests broken")
        #expect(report.served == 2000)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0)
    }

    @Test func anS3OutageLongerThanTheBufferIntervalPausesPollingAndLosesNothing() async throws {
        let rig = try await Rig(
            api: try FakeXAPI(multiply: 10),
            extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "1", "TWITTER_MAX_RESULTS": "100"])
        let daemon = try TweetIngest.start(["run"], environment: rig.environment)
        #expect(daemon.waitForLines(timeout: 60) { $0.contains("delivered object") }, "\(daemon.allOutput)")
        try await rig.proxy.blackout(true)
        // Delivery (an object, or the checkpoint after it) fails and is retried; meanwhile no page
        // is fetched.
        let retried: (String) -> Bool = { $0.contains("ERROR could not") && $0.contains("the write is retried") }
        #expect(daemon.waitForLines(count: 2, timeout: 90, where: retried), "\(daemon.allOutput)")
        let servedDuringOutage = try rig.api.servedIDs().count
        let deliveredBeforeOutage = Self.deliveredRecords(daemon)
        #expect(daemon.waitForLines(count: 3, timeout: 90, where: retried))
        #expect(try rig.api.servedIDs().count == servedDuringOutage, "polling is paused while S3 is down")
        #expect(
            servedDuringOutage - deliveredBeforeOutage <= 1000,
            "at most about one 1 MiB buffer and a page are held: \(servedDuringOutage) served, \(deliveredBeforeOutage) delivered")
        try await rig.proxy.blackout(false)
        // Back: the buffer goes out, polling resumes and catches up on all 4,000 tweets.
        #expect(
            daemon.waitForLines(timeout: 180) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }, "\(daemon.allOutput)"
        )
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0)
        let report = try rig.report(
            "S3 unreachable longer than the buffer interval", daemons: [daemon],
            note: "polling paused at \(servedDuringOutage) served / \(deliveredBeforeOutage) delivered")
        #expect(report.served == 4000)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0)
    }

    @Test func killMinus9AtRandomMomentsLosesNothing() async throws {
        let rig = try await Rig(
            api: try FakeXAPI(releases: [500, 1000, 1500, 2000], multiply: 5),
            extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "1", "TWITTER_MAX_RESULTS": "50"])
        var generator = SeededGenerator(seed: 42)
        var daemons: [ChildProcess] = []
        let kills = 5
        for _ in 0..<kills {
            let daemon = try TweetIngest.start(["run"], environment: rig.environment)
            daemons.append(daemon)
            // A random moment: after the k-th line the daemon logs (k drawn from a seeded generator).
            let moment = Int.random(in: 2...14, using: &generator)
            _ = daemon.waitForLines(count: moment, timeout: 60) { _ in true }
            daemon.send(SIGKILL)
            _ = daemon.waitForExit(timeout: 30)
        }
        let last = try TweetIngest.start(["run"], environment: rig.environment)
        daemons.append(last)
        #expect(
            last.waitForLines(count: 2, timeout: 180) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") },
            "\(last.allOutput)")
        last.send(SIGTERM)
        #expect(last.waitForExit(timeout: 30) == 0)
        let report = try rig.report("kill -9 at \(kills) random moments, restarted each time", daemons: [last])
        #expect(report.served == 2000)
        #expect(report.lost == 0)
        // The documented bound: per crash, at most the batch delivered after the last checkpoint
        // write (one 1 MiB object, about 450 records here) plus one page.
        #expect(report.duplicates <= kills * (500 + 50), "\(report)")
    }

    @Test func sigtermDuringAFailingFlushExitsWithinTheTimeoutAndLosesNothing() async throws {
        // One buffer holds all 400 records (2.1 MB with the inlined expansions; the rig's 1 MiB
        // would flush one object by size before the blackout, and a page split across objects is
        // the at-least-once window this scenario is not about).
        let rig = try await Rig(
            api: try FakeXAPI(), extra: ["TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "900", "BUFFER_SIZE_MB": "64"])
        let daemon = try TweetIngest.start(["run"], environment: rig.environment)
        #expect(
            daemon.waitForLines(timeout: 60) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }, "\(daemon.allOutput)")
        try await rig.proxy.blackout(true)
        let stoppedAt = Date()
        daemon.send(SIGTERM)
        let status = daemon.waitForExit(timeout: 60)
        let took = Date().timeIntervalSince(stoppedAt)
        #expect(status == 0, "\(daemon.allOutput)")
        #expect(daemon.allOutput.contains("shutdown timeout reached"), "the flush was cut off by SHUTDOWN_TIMEOUT_SECONDS=5")
        try await rig.proxy.blackout(false)
        // Nothing was checkpointed, so the next start fetches the same tweets again.
        let (again, second) = try TweetIngest.run(["run", "--once"], environment: rig.environment, timeout: 120)
        #expect(again == 0, "\(second.allOutput)")
        let report = try rig.report(
            "SIGTERM in the middle of a failing flush", daemons: [daemon, second], note: String(format: "exited %.1f s after SIGTERM", took)
        )
        #expect(report.served == 400)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0)
    }

    @Test func xAPIFaultsLoseNothingAndNeverSpin() async throws {
        // 429 (window), 429 (monthly cap), 503, a response slower than the timeout, a truncated
        // body, partial errors[].
        let api = try FakeXAPI(faults: "1:429,3:429cap,5:503,6:slow,8:truncate,9:partial-errors", extra: ["--slow-seconds", "4"])
        let rig = try await Rig(api: api, extra: ["TWITTER_REQUEST_TIMEOUT_SECONDS": "2"])
        var daemons: [ChildProcess] = []
        for run in 1...3 {
            let (status, daemon) = try TweetIngest.run(["run", "--once"], environment: rig.environment, timeout: 120)
            daemons.append(daemon)
            #expect(status == 0, "run \(run): \(daemon.allOutput)")
        }
        #expect(daemons[0].allOutput.contains("usage cap"))
        let requests = try api.requests()
        let report = try rig.report(
            "X API: 429, usage cap, 503, timeout, truncated, partial errors", daemons: daemons, note: "\(requests.count) API requests")
        #expect(report.served == 400)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0)
        #expect(requests.count <= 14, "4 pages, 6 faults and an empty last cycle need no more: \(requests.count)")
    }

    @Test func badConfigurationAndBadCredentialsStopCleanlyWithNoPartialObjects() async throws {
        let rig = try await Rig(api: try FakeXAPI(), extra: [:])
        var bad = rig.environment
        bad["BUFFER_SIZE_MB"] = "0"
        let (configStatus, configRun) = try TweetIngest.run(["run"], environment: bad)
        #expect(configStatus == 78)
        #expect(configRun.standardError.contains("BUFFER_SIZE_MB=\"0\""))
        var wrongSecret = rig.environment
        wrongSecret["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let (credentialStatus, credentialRun) = try TweetIngest.run(["run"], environment: wrongSecret)
        #expect(credentialStatus == 69)
        #expect(credentialRun.standardError.contains("SignatureDoesNotMatch"), "\(credentialRun.allOutput)")
        #expect(!credentialRun.allOutput.contains("not-the-secret"))
        #expect(try rig.api.requests().isEmpty, "nothing is polled")
        let report = try rig.report("bad configuration, then a wrong secret", daemons: [], note: "exit 78, then 69")
        #expect(report.delivered == 0)
        #expect(try S3Boto.keys(rig.moto, bucket: Self.bucket).isEmpty, "no partial objects")
    }
}

/// SplitMix64: the same "random" moments on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
