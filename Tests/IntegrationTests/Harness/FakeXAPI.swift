import Foundation

/// Our fake X API (Support/fake_x_api.py) on 127.0.0.1, serving the real recorded pages, with
/// releases (new tweets between polls) and scripted faults. Its request log says what it served.
/// `Live` makes it behave as the real API does today (fresh snowflake ids, posts searchable only
/// some seconds after they were created); `Usage` sets what /2/usage/tweets answers.
final class FakeXAPI {
    let process: ChildProcess
    let port: Int
    let logPath: String
    let postsPath: String
    static let token = "test-token-\(UUID().uuidString)"

    struct Request: Decodable {
        var n: Int
        /// nil only in logs written before the fake logged every /2/ path.
        var path: String?
        var status: Int?
        var fault: String?
        var query: [String: String]
        var served_ids: [String]
        var truncated: Bool

        var isSearch: Bool { path == nil || path == "/2/tweets/search/recent" }
    }

    /// Live mode (--live-span): ids and created_at spread over `span` seconds starting `offset`
    /// seconds from the fake's start; each post searchable 0...`indexLatency` seconds after it.
    struct Live {
        var span: Double
        var offset: Double = 0
        var indexLatency: Double = 0
    }

    /// What GET /2/usage/tweets answers; nil fields keep the fake's defaults.
    struct Usage {
        var cap: Int? = nil
        var used: Int? = nil
        var resetDay: Int? = nil
        var status: Int = 200
        /// "a": the API reference (numbers as strings); "b": the usage introduction page.
        var shape: String = "a"
    }

    /// One post of the fake's pool, as it will serve it (from --posts-file).
    struct Post: Decodable {
        var id: String
        var created_at: String?
        /// Epoch seconds from which the post is searchable (live mode), else nil.
        var searchable_at: Double?
        var long: Bool
        var full_text: String?
    }

    init(
        releases: [Int] = [], faults: String = "", token: String = FakeXAPI.token, resetSeconds: Int = 2, multiply: Int = 1,
        live: Live? = nil, longPosts: Int = 0, capAfter: Int? = nil, countsPerDay: [Int]? = nil, usage: Usage = Usage(),
        seed: Int = 1, maxSeconds: Int = 300, extra: [String] = []
    ) throws {
        let directory = try Paths.temporaryDirectory("fakex")
        logPath = directory + "/requests.jsonl"
        postsPath = directory + "/posts.json"
        var arguments = [
            Paths.fakeXAPI, "--fixtures", Paths.twitterFixtures, "--port", "0", "--log", logPath, "--token", token,
            "--reset-seconds", String(resetSeconds), "--max-seconds", String(maxSeconds), "--posts-file", postsPath,
        ]
        if !releases.isEmpty { arguments += ["--releases", releases.map(String.init).joined(separator: ",")] }
        if !faults.isEmpty { arguments += ["--faults", faults] }
        if multiply > 1 { arguments += ["--multiply", String(multiply)] }
        if let live {
            arguments += [
                "--live-span", String(live.span), "--live-offset", String(live.offset), "--index-latency",
                String(live.indexLatency),
            ]
        }
        if longPosts > 0 { arguments += ["--long-posts", String(longPosts)] }
        if let capAfter { arguments += ["--cap-after", String(capAfter)] }
        if let countsPerDay { arguments += ["--counts-per-day", countsPerDay.map(String.init).joined(separator: ",")] }
        if let cap = usage.cap { arguments += ["--usage-cap", String(cap)] }
        if let used = usage.used { arguments += ["--usage-used", String(used)] }
        if let resetDay = usage.resetDay { arguments += ["--usage-reset-day", String(resetDay)] }
        if usage.status != 200 { arguments += ["--usage-status", String(usage.status)] }
        if usage.shape != "a" { arguments += ["--usage-shape", usage.shape] }
        if seed != 1 { arguments += ["--seed", String(seed)] }
        process = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3"] + arguments + extra,
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

    /// The logged requests to the recent-search path, in order (what existing tests count).
    func requests() throws -> [Request] { try allRequests().filter(\.isSearch) }

    /// Every logged request to any /2/ path (search, counts, usage, ...), in order.
    func allRequests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    /// Every tweet id sent in a complete 200 page.
    func servedIDs() throws -> Set<String> {
        Set(try requests().filter { $0.status == 200 && !$0.truncated }.flatMap(\.served_ids))
    }

    /// Entries of data[] sent in complete 200 pages, repeats included (what the user pays for).
    func postsServed() throws -> Int {
        try requests().filter { $0.status == 200 && !$0.truncated }.reduce(0) { $0 + $1.served_ids.count }
    }

    /// The whole pool as served: ids, created_at, when each becomes searchable, long posts' full text.
    func posts() throws -> [Post] {
        struct Listing: Decodable { var posts: [Post] }
        guard let data = FileManager.default.contents(atPath: postsPath) else {
            throw HarnessError("the fake X API wrote no post listing at \(postsPath)")
        }
        return try JSONDecoder().decode(Listing.self, from: data).posts
    }

    deinit { process.send(SIGTERM) }
}
