import Foundation

/// The real `tweet-ingest` binary with an environment of the test's choosing.
enum TweetIngest {
    static func environment(api: FakeXAPI?, outputDir: String, extra: [String: String] = [:]) -> [String: String] {
        var environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
            "OUTPUT_DIR": outputDir,
            "LOG_FORMAT": "text",
            "TWITTER_QUERY": "obama OR #brexit",
        ]
        if let api {
            environment["TWITTER_API_URL"] = api.baseURL
            environment["TWITTER_BEARER_TOKEN"] = FakeXAPI.token
        }
        environment.merge(extra) { $1 }
        return environment
    }

    static func start(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        try ChildProcess(executable: try Paths.binary, arguments: arguments, environment: environment)
    }

    /// Runs to completion (bounded) and returns the exit status with the process for its output.
    static func run(_ arguments: [String], environment: [String: String], timeout: TimeInterval = 120) throws -> (Int32?, ChildProcess) {
        let process = try start(arguments, environment: environment)
        return (process.waitForExit(timeout: timeout), process)
    }
}

/// The records and error records a run left in OUTPUT_DIR, read with Foundation's JSON parser
/// (and `gzip -dc` for compressed objects), not with the code under test.
struct DeliveredObjects {
    var dataFiles: [String] = []
    var errorFiles: [String] = []
    var records: [[String: Any]] = []
    var errorRecords: [[String: Any]] = []

    init(outputDir: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: outputDir)
        while let relative = enumerator?.nextObject() as? String {
            let path = outputDir + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.hasPrefix("_state/")
            else { continue }
            let body = try Self.read(path)
            let objects = try body.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
            if relative.hasPrefix("errors/") {
                errorFiles.append(relative)
                errorRecords += objects
            } else {
                dataFiles.append(relative)
                records += objects
            }
        }
        dataFiles.sort()
        errorFiles.sort()
    }

    var ids: [String] { records.compactMap { $0["id"] as? String } }

    private static func read(_ path: String) throws -> String {
        guard path.hasSuffix(".gz") else {
            return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gunzip.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        guard gunzip.terminationStatus == 0 else { throw HarnessError("gzip -dc \(path) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
