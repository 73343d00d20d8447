import Foundation
import Testing
import TweetIngest

/// What an operator watches: EMF metric lines (checked against the EMF schema by an independent
/// validator), the Prometheus endpoint, and the container health check.
@Suite("Metrics and health end to end", .serialized)
struct ObservabilityTests {
    @Test func daemonEmitsValidEMFServesPrometheusAndReportsHealth() async throws {
        let api = try FakeXAPI()
        let output = try Paths.temporaryDirectory("metrics")
        let port = try freeLoopbackPort()
        let environment = TweetIngest.environment(
            api: api, outputDir: output,
            extra: [
                "LOG_FORMAT": "json", "METRICS_EMF": "on", "METRICS_PORT": String(port), "STATE_DIR": output + "-state",
                "TWITTER_POLL_INTERVAL_SECONDS": "1", "BUFFER_INTERVAL_SECONDS": "0",
            ])
        let daemon = try TweetIngest.start(["run"], environment: environment)
        let idle = daemon.waitForLines(timeout: 60) { $0.contains("poll cycle complete") && $0.contains("\"poll.records\":\"0\"") }
        #expect(idle, "\(daemon.allOutput)")
        // Started without GnuTLS's variable, `run` set it and executed itself again under the
        // same pid, so GnuTLS stayed uninitialised (GnuTLSImplicitInit, README "Memory").
        #expect(environment["GNUTLS_NO_IMPLICIT_INIT"] == nil)
        let environ = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/environ", encoding: .utf8)
        let gnutls = environ.split(separator: "\0").filter { $0.hasPrefix("GNUTLS_") }  // not the rest: it holds the token
        #expect(gnutls == ["GNUTLS_NO_IMPLICIT_INIT=1"], "\(gnutls)")

        let (healthy, check) = try TweetIngest.run(["healthcheck"], environment: environment, timeout: 30)
        #expect(healthy == 0, "\(check.allOutput)")
        #expect(check.lines.contains("healthy"))

        let response = try await CurlHTTPClient().execute(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeoutSeconds: 10))
        let exposition = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 200)
        #expect(exposition.contains("tweet_ingest_tweets_fetched_total{stream=\"tweets\"} 400"), "\(exposition)")
        #expect(exposition.contains("tweet_ingest_records_delivered_total{stream=\"tweets\"} 400"))
        #expect(exposition.contains("tweet_ingest_api_requests_total{stream=\"tweets\",status=\"200\"}"))

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.allOutput)")

        // Every EMF document validates, and the totals match what the fake API served.
        let validator = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", Paths.repository + "/Tests/IntegrationTests/Support/emf/check_emf.py"],
            environment: ProcessInfo.processInfo.environment, standardInput: daemon.lines.joined(separator: "\n") + "\n")
        #expect(validator.waitForExit(timeout: 60) == 0, "\(validator.allOutput)")
        let summary = try #require(validator.lines.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let totals = try #require(summary["totals"] as? [String: Double])
        #expect(totals["TweetsFetched"] == 400)
        #expect(totals["RecordsDelivered"] == 400)
        #expect(totals["ObjectsDelivered"] == 1)
        #expect((totals["ApiRequests"] ?? 0) >= 2)

        let (down, after) = try TweetIngest.run(["healthcheck"], environment: environment, timeout: 30)
        #expect(down == 1)
        #expect(after.lines.first?.contains("not running") == true, "\(after.allOutput)")
    }

    @Test func healthcheckWithoutADaemonSaysSo() throws {
        let output = try Paths.temporaryDirectory("nohealth")
        let (status, process) = try TweetIngest.run(
            ["healthcheck"], environment: TweetIngest.environment(api: nil, outputDir: output, extra: ["STATE_DIR": output]))
        #expect(status == 1)
        #expect(process.lines.first?.hasPrefix("unhealthy: no health file") == true, "\(process.allOutput)")
    }
}
