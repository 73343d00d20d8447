import Foundation
import TweetIngest

/// Support/fault_proxy.py on 127.0.0.1 between the daemon and moto: breaks a share of the writes
/// (503, 500, connections dropped before or after the request reached S3) and can black out
/// S3 entirely.
final class FaultProxy {
    let process: ChildProcess
    let port: Int
    let logPath: String

    struct Stats: Decodable {
        var requests: Int
        var faulted: Int
        var forwarded: Int
        var blackout: Bool
        /// Requests the proxy is holding back right now (`delay`).
        var held: Int
    }

    init(upstream: String, faultRate: Double = 0, seed: Int = 1) throws {
        logPath = try Paths.temporaryDirectory("proxy") + "/requests.jsonl"
        process = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", Paths.repository + "/Tests/IntegrationTests/Support/fault_proxy.py", "--upstream", upstream, "--port", "0",
                "--log", logPath, "--fault-rate", String(faultRate), "--seed", String(seed), "--max-seconds", "600",
            ],
            environment: ProcessInfo.processInfo.environment)
        guard process.waitForLines(timeout: 20, where: { $0.hasPrefix("LISTENING ") }),
            let line = process.lines.first(where: { $0.hasPrefix("LISTENING ") }), let port = Int(line.dropFirst("LISTENING ".count))
        else { throw HarnessError("the fault proxy did not start: \(process.allOutput)") }
        self.port = port
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    @discardableResult
    func control(_ path: String) async throws -> Stats {
        let response = try await CurlHTTPClient().execute(HTTPRequest(method: "POST", url: endpoint + path, body: [], timeoutSeconds: 10))
        return try JSONDecoder().decode(Stats.self, from: Data(response.body))
    }

    func blackout(_ on: Bool) async throws { try await control("/_proxy/blackout?on=\(on ? 1 : 0)") }
    func stats() async throws -> Stats { try await control("/_proxy/stats") }
    func faultRate(_ rate: Double) async throws { try await control("/_proxy/faults?rate=\(rate)") }
    /// Holds every request whose path contains `text` for `seconds` before forwarding it.
    func delay(pathContaining text: String, seconds: Double) async throws {
        try await control(
            "/_proxy/delay?contains=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text)&seconds=\(seconds)")
    }

    deinit { process.send(SIGKILL) }
}

/// The outcome of one fault scenario, printed as one line for the README's table.
struct ScenarioReport: CustomStringConvertible {
    var name: String
    var served: Int
    var delivered: Int
    var lost: Int
    var duplicates: Int
    var peakRSSMegabytes: Double?
    var note = ""

    init(name: String, served: Set<String>, deliveredIDs: [String], peakRSSMegabytes: Double?, note: String = "") {
        self.name = name
        self.served = served.count
        delivered = deliveredIDs.count
        lost = served.subtracting(deliveredIDs).count
        duplicates = deliveredIDs.count - Set(deliveredIDs).count
        self.peakRSSMegabytes = peakRSSMegabytes
        self.note = note
    }

    var description: String {
        "fault-scenario | \(name) | served \(served) | delivered \(delivered) | lost \(lost) | duplicates \(duplicates) | peak RSS \(peakRSSMegabytes.map { String(format: "%.1f MiB", $0) } ?? "-") | \(note)"
    }

    /// The peak RSS a daemon reported in its last log line ("stopped ... process.peak_rss_mb=").
    static func peakRSS(_ processes: [ChildProcess]) -> Double? {
        processes.compactMap { process in
            process.lines.last { $0.contains("process.peak_rss_mb") }.flatMap { line in
                line.range(of: #"process\.peak_rss_mb=([0-9.]+)"#, options: .regularExpression).map {
                    Double(line[$0].split(separator: "=")[1])
                } ?? nil
            }
        }.max()
    }
}

extension S3Boto {
    /// Every record id in the bucket's data objects, read with boto3.
    static func recordIDs(_ server: S3MotoServer, bucket: String) throws -> (ids: [String], objects: Int, errorRecords: Int) {
        struct Answer: Decodable {
            var ids: [String]
            var objects: Int
            var error_records: Int
        }
        let answer = try JSONDecoder().decode(
            Answer.self, from: try run(["ids", "--endpoint", server.endpoint, "--bucket", bucket], keys: server.user, timeout: 120))
        return (answer.ids, answer.objects, answer.error_records)
    }
}
