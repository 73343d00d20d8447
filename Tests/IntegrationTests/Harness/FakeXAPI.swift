import Foundation

/// Our fake X API (Support/fake_x_api.py) on 127.0.0.1, serving the real recorded pages, with
/// releases (new tweets between polls) and scripted faults. Its request log says what it served.
final class FakeXAPI {
    let process: ChildProcess
    let port: Int
    let logPath: String
    static let token = "test-token-\(UUID().uuidString)"

    struct Request: Decodable {
        var n: Int
        var status: Int?
        var fault: String?
        var query: [String: String]
        var served_ids: [String]
        var truncated: Bool
    }

    init(
        releases: [Int] = [], faults: String = "", token: String = FakeXAPI.token, resetSeconds: Int = 2, multiply: Int = 1,
        extra: [String] = [], extraArguments: [String] = []
    ) throws {
        logPath = try Paths.temporaryDirectory("fakex") + "/requests.jsonl"
        var arguments = [
            Paths.fakeXAPI, "--fixtures", Paths.twitterFixtures, "--port", "0", "--log", logPath, "--token", token,
            "--reset-seconds", String(resetSeconds), "--max-seconds", "300",
        ]
        if !releases.isEmpty { arguments += ["--releases", releases.map(String.init).joined(separator: ",")] }
        if !faults.isEmpty { arguments += ["--faults", faults] }
        if multiply > 1 { arguments += ["--multiply", String(multiply)] }
        process = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3"] + arguments + extra + extraArguments,
            environment: ProcessInfo.processInfo.environment)
        guard process.waitForLines(timeout: 20, where: { $0.hasPrefix("LISTENING ") }),
            let line = process.lines.first(where: { $0.hasPrefix("LISTENING ") }),
            let port = Int(line.dropFirst("LISTENING ".count))
        else {
            throw HarnessError("the fake X API did not start: \(process.allOutput)")
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    /// Every tweet id sent in a complete 200 page.
    func servedIDs() throws -> Set<String> {
        Set(try requests().filter { $0.status == 200 && !$0.truncated }.flatMap(\.served_ids))
    }

    deinit { process.send(SIGTERM) }
}
