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

        init(faultRate: Double = 0, api: FakeXAPI, extra: [String: String], signatureChecks: Bool = false) async throws {
            // moto 5.2.1 refuses a signed request whose query value holds an encoded `/` (start-up
            // recovery's ListMultipartUploads with a key as prefix; boto3's own request fails the
            // same way, real S3 takes it): the fault suite is about loss and duplicates, so moto
            // skips the signature check here (S3 signing is tested against moto elsewhere).
            moto = try await S3MotoServer(buckets: [FaultInjectionTests.bucket], signatureChecks: signatureChecks)
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

    /// Waits (bounded) until the proxy holds `count` or more requests back (0: none); false when
    /// that did not happen in time.
    static func waitUntilHeld(_ proxy: FaultProxy, atLeast count: Int = 1, seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let held = try await proxy.stats().held
            if count == 0 ? held == 0 : held >= count { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func killMinus9TenTimesWithObjectsPartsAndCheckpointsInFlightLosesNothingAndDoublesNothing() async throws {
        // 6,000 posts (about 30 MB of records) in two releases; 5% of S3 writes fail. The fake
        // API lives for the whole scenario (its default is 5 minutes), and polling every 2 s
        // keeps the requests within its 450-request window.
        let rig = try await Rig(
            faultRate: 0.05, api: try FakeXAPI(releases: [3000, 6000], multiply: 15, maxSeconds: 1500),
            extra: [
                "TWITTER_POLL_INTERVAL_SECONDS": "2", "BUFFER_INTERVAL_SECONDS": "1", "TWITTER_MAX_RESULTS": "100",
                "S3_MULTIPART_THRESHOLD_MB": "5",
            ])
        var generator = SeededGenerator(seed: 42)
        var daemons: [ChildProcess] = []
        var moments: [String] = []
        var heldAtKill = (checkpoint: 0, part: 0)
        // Kills during a part first, while there is plenty left to read (2: a part in flight, 1: a
        // checkpoint write in flight, 0: a random log line).
        let kinds = [2, 1, 2, 0, 1, 2, 0, 1, 0, 0]
        for (kill, kind) in kinds.enumerated() {
            var environment = rig.environment
            if kind == 2 {
                // Buffers of 12 MiB: multipart uploads of two or three 5 MiB+ parts.
                environment["BUFFER_SIZE_MB"] = "12"
                environment["BUFFER_INTERVAL_SECONDS"] = "60"
            }
            // The killed daemon's held request is dropped first (the proxy never forwards it).
            _ = try await Self.waitUntilHeld(rig.proxy, atLeast: 0)
            let daemon = try TweetIngest.start(["run"], environment: environment)
            daemons.append(daemon)
            switch kind {
            case 1:
                // While a checkpoint write is in flight: the proxy holds `_state/` requests 1 s.
                try await rig.proxy.delay(pathContaining: "_state/", seconds: 1)
                _ = daemon.waitForLines(count: Int.random(in: 1...4, using: &generator), timeout: 60) { $0.contains("delivered object") }
                if try await Self.waitUntilHeld(rig.proxy) { heldAtKill.checkpoint += 1 }
                moments.append("checkpoint write")
            case 2:
                // While a part is in flight.
                try await rig.proxy.delay(pathContaining: "partNumber=", seconds: 1)
                if try await Self.waitUntilHeld(rig.proxy, seconds: 120) { heldAtKill.part += 1 }
                moments.append("multipart part")
            default:
                if kill == 3 {
                    // An S3 outage first: deliveries fail and are retried, then S3 comes back.
                    _ = daemon.waitForLines(timeout: 60) { $0.contains("delivered object") }
                    try await rig.proxy.blackout(true)
                    _ = daemon.waitForLines(count: 2, timeout: 90) { $0.contains("the write is retried") }
                    try await rig.proxy.blackout(false)
                    moments.append("after an outage")
                }
                let moment = Int.random(in: 2...30, using: &generator)
                _ = daemon.waitForLines(count: moment, timeout: 30) { _ in true }
                moments.append("line \(moment)")
            }
            daemon.send(SIGKILL)
            _ = daemon.waitForExit(timeout: 30)
            try await rig.proxy.delay(pathContaining: "_state/", seconds: 0)
            try await rig.proxy.delay(pathContaining: "partNumber=", seconds: 0)
        }
        try await rig.proxy.faultRate(0)
        let last = try TweetIngest.start(["run"], environment: rig.environment)
        daemons.append(last)
        // Runs until the fake API has served its last release and two cycles found nothing new.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let idle = last.lines.filter { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }.count
            if try rig.api.servedIDs().count == 6000 {
                _ = last.waitForLines(count: idle + 2, timeout: 120) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") }
                break
            }
            let cycles = last.lines.filter { $0.contains("poll cycle complete") }.count
            _ = last.waitForLines(count: cycles + 1, timeout: 30) { $0.contains("poll cycle complete") }
        }
        last.send(SIGTERM)
        #expect(last.waitForExit(timeout: 30) == 0)
        let unfinished = try S3Boto.unfinishedUploads(rig.moto, bucket: Self.bucket)
        let recoveries = daemons.flatMap(\.lines).filter { $0.contains("recovery: ") }
        for (index, daemon) in daemons.enumerated().dropFirst() {
            let line = daemon.lines.first { $0.contains("recovery: ") } ?? "no intent to settle"
            print("kill-recovery | after \(moments[min(index - 1, moments.count - 1)]) | \(line.prefix(160))")
        }
        let report = try rig.report(
            "kill -9 10 times (objects, 5 MiB+ parts, checkpoint writes in flight; 5% S3 faults; an outage)", daemons: [last],
            note:
                "\(heldAtKill.checkpoint) kills during a checkpoint write, \(heldAtKill.part) during a part; \(recoveries.filter { $0.contains("cut off") }.count) batches rolled back, \(recoveries.filter { $0.contains("committed") }.count) forward; unfinished uploads \(unfinished)"
        )
        #expect(report.served == 6000)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0, "\(report) moments: \(moments)")
        #expect(unfinished == 0, "no multipart upload is left billed")
        #expect(heldAtKill.checkpoint >= 2 && heldAtKill.part >= 2, "the kills hit the windows they aim at: \(heldAtKill)")
    }

    @Test func killMinus9TenTimesWithTheLocalFolderLosesNothingAndDoublesNothing() async throws {
        let api = try FakeXAPI(releases: [1000, 2000, 3000], multiply: 10)
        let output = try Paths.temporaryDirectory("kill-local")
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: [
                "BUFFER_SIZE_MB": "1", "TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "1", "TWITTER_MAX_RESULTS": "50",
            ])
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<10 {
            let daemon = try TweetIngest.start(["run"], environment: environment)
            _ = daemon.waitForLines(count: Int.random(in: 2...30, using: &generator), timeout: 60) { _ in true }
            daemon.send(SIGKILL)
            _ = daemon.waitForExit(timeout: 30)
        }
        let last = try TweetIngest.start(["run"], environment: environment)
        #expect(
            last.waitForLines(count: 2, timeout: 300) { $0.contains("poll cycle complete") && $0.contains("poll.records=0") },
            "\(last.allOutput)")
        last.send(SIGTERM)
        #expect(last.waitForExit(timeout: 30) == 0)
        let delivered = try DeliveredObjects(outputDir: output)
        let report = ScenarioReport(
            name: "kill -9 10 times, local folder", served: try api.servedIDs(), deliveredIDs: delivered.ids,
            peakRSSMegabytes: ScenarioReport.peakRSS([last]), note: "\(delivered.dataFiles.count) files")
        print(report)
        #expect(report.served == 3000)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0, "\(report)")
        // Each file's facts ride with it.
        if let first = delivered.dataFiles.first {
            let facts = LocalDirectorySink.facts(at: output + "/" + first)
            #expect(facts["records"].flatMap(Int.init) ?? 0 > 0, "\(facts)")
            #expect(facts["cursor"] != nil && facts["newest-id"] != nil && facts["oldest-id"] != nil, "\(facts)")
        }
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
        let rig = try await Rig(api: try FakeXAPI(), extra: [:], signatureChecks: true)
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
