import Foundation
import Logging

@testable import TweetIngest

#if canImport(Glibc)
    import Glibc
#endif

/// AWS keys as moto's IAM and STS hand them out.
struct S3TestKeys: Decodable, Sendable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?

    enum CodingKeys: String, CodingKey {
        case accessKeyID = "AccessKeyId"
        case secretAccessKey = "SecretAccessKey"
        case sessionToken = "SessionToken"
    }
}

/// `moto_server` on 127.0.0.1 with signature checking on: an IAM user (and optionally assumed-role
/// sessions) and the buckets are created while moto still accepts unsigned calls, then
/// `/moto-api/reset-auth 0` makes it verify every later request's SigV4 signature and IAM policy.
final class S3MotoServer {
    let process: ChildProcess
    let port: Int
    let user: S3TestKeys
    /// Temporary credentials of the role `tweet-ingest-task` (access key, secret, session token).
    let sessions: [S3TestKeys]

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private struct Setup: Decodable {
        var user: S3TestKeys
        var sessions: [S3TestKeys]
    }

    /// `signatureChecks: false` leaves moto accepting anything (see the key-encoding test).
    init(buckets: [String], roleSessions: Int = 0, signatureChecks: Bool = true) async throws {
        let (process, port) = try await Self.launch()
        self.process = process
        self.port = port
        var arguments = ["setup", "--endpoint", "http://127.0.0.1:\(port)", "--role-sessions", String(roleSessions)]
        for bucket in buckets { arguments += ["--bucket", bucket] }
        if !signatureChecks { arguments.append("--no-auth") }
        let setup = try JSONDecoder().decode(Setup.self, from: try S3Boto.run(arguments, keys: nil))
        user = setup.user
        sessions = setup.sessions
    }

    /// The environment for our S3 code: this endpoint, the user's keys, nothing from the host.
    func environment(bucket: String, extra: [String: String] = [:]) throws -> [String: String] {
        var environment = [
            "S3_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": endpoint, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": user.accessKeyID, "AWS_SECRET_ACCESS_KEY": user.secretAccessKey,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": try Paths.temporaryDirectory("s3-home"),
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `moto_server` on a free loopback port (three tries), accepting unsigned calls until
    /// the setup script turns signature checks on; returns once it answers.
    static func launch() async throws -> (ChildProcess, Int) {
        var environment = S3Boto.baseEnvironment
        // Large, so setup runs unauthenticated; setup then resets it to 0 (checks on).
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "1000000"
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let process = try ChildProcess(
                executable: "/usr/bin/env", arguments: ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                environment: environment)
            if await waitUntilAnswering("http://127.0.0.1:\(port)/moto-api/", timeout: 20) { return (process, port) }
            process.send(SIGKILL)
        }
        throw HarnessError("moto_server did not answer within 20 s (is moto[server] installed?)")
    }

    /// Polls until the URL answers HTTP at all (bounded).
    static func waitUntilAnswering(_ url: String, timeout: TimeInterval) async -> Bool {
        let http = CurlHTTPClient()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await http.execute(HTTPRequest(url: url, timeoutSeconds: 1))) != nil { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func stop() { Self.stop(process) }

    /// SIGTERM, then SIGKILL after 2 s: werkzeug waits for open keep-alive connections (our
    /// clients keep theirs) before it exits, and nothing of moto's state needs saving.
    static func stop(_ process: ChildProcess) {
        guard process.process.isRunning else { return }
        process.send(SIGTERM)
        if process.waitForExit(timeout: 2) == nil { _ = process.waitForExit(timeout: 5) }
    }

    deinit { stop() }
}

/// A free TCP port on 127.0.0.1: bind port 0, read the port the kernel chose, close.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket() failed: \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw HarnessError("bind() failed: \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw HarnessError("getsockname() failed: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs Support/s3/s3_helper.py (boto3), the independent reader of what our code wrote.
enum S3Boto {
    static let helper = Paths.repository + "/Tests/IntegrationTests/Support/s3/s3_helper.py"
    static let fakeContainerCredentials = Paths.repository + "/Tests/IntegrationTests/Support/s3/fake_ecs_credentials.py"

    /// The host environment without AWS settings, so nothing from the machine leaks in.
    static var baseEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        return environment
    }

    struct Failure: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32?
        var output: String
        var description: String { "s3_helper.py \(arguments.first ?? "") exited \(status.map(String.init) ?? "(timed out)"): \(output)" }
    }

    /// The helper's stdout; throws with its output when it fails.
    static func run(_ arguments: [String], keys: S3TestKeys?, timeout: TimeInterval = 60) throws -> Data {
        var environment = baseEnvironment
        if let keys {
            environment["AWS_ACCESS_KEY_ID"] = keys.accessKeyID
            environment["AWS_SECRET_ACCESS_KEY"] = keys.secretAccessKey
            if let token = keys.sessionToken { environment["AWS_SESSION_TOKEN"] = token }
        }
        let process = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3", helper] + arguments, environment: environment)
        let status = process.waitForExit(timeout: timeout)
        guard status == 0 else { throw Failure(arguments: arguments, status: status, output: process.allOutput) }
        return Data(process.lines.joined(separator: "\n").utf8)
    }

    struct Object: Decodable {
        var contentType: String?
        var contentEncoding: String?
        var contentLength: Int?
        var eTag: String?
        var serverSideEncryption: String?
        var kmsKeyID: String?
        var storageClass: String?
        var bodySHA256: String?
        var bodyBase64: String?

        enum CodingKeys: String, CodingKey {
            case contentType = "ContentType"
            case contentEncoding = "ContentEncoding"
            case contentLength = "ContentLength"
            case eTag = "ETag"
            case serverSideEncryption = "ServerSideEncryption"
            case kmsKeyID = "SSEKMSKeyId"
            case storageClass = "StorageClass"
            case bodySHA256 = "BodySHA256"
            case bodyBase64 = "BodyBase64"
        }

        var body: [UInt8] { Array(Data(base64Encoded: bodyBase64 ?? "") ?? Data()) }
    }

    static func get(_ server: S3MotoServer, bucket: String, key: String) throws -> Object {
        try JSONDecoder().decode(
            Object.self, from: try run(["get", "--endpoint", server.endpoint, "--bucket", bucket, "--key", key], keys: server.user))
    }

    static func keys(_ server: S3MotoServer, bucket: String, prefix: String = "") throws -> [String] {
        try JSONDecoder().decode(
            [String].self,
            from: try run(["list", "--endpoint", server.endpoint, "--bucket", bucket, "--prefix", prefix], keys: server.user))
    }

    /// Writes every object under `prefix` to `directory`/key, in one boto3 process; the count.
    static func download(_ server: S3MotoServer, bucket: String, prefix: String, into directory: String) throws -> Int {
        let data = try run(
            ["download", "--endpoint", server.endpoint, "--bucket", bucket, "--prefix", prefix, "--directory", directory],
            keys: server.user, timeout: 120)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["objects"] as? Int ?? -1
    }

    static func unfinishedUploads(_ server: S3MotoServer, bucket: String) throws -> Int {
        let data = try run(["uploads", "--endpoint", server.endpoint, "--bucket", bucket], keys: server.user)
        return (try JSONSerialization.jsonObject(with: data) as? [Any])?.count ?? -1
    }
}

enum S3TestSupport {
    static let logger = Logger(label: "s3-it") { _ in SwiftLogNoOpLogHandler() }

    /// Our S3 stack as the daemon builds it: configuration from an environment, then connect
    /// (which runs the start-up check).
    static func connect(_ environment: [String: String], http: any HTTPClient = CurlHTTPClient()) async throws -> S3Destination.Connected {
        let config = try Config(environment: environment)
        guard let settings = config.s3 else { throw HarnessError("no S3_BUCKET in the test environment") }
        return try await S3Destination.connect(settings, streamName: config.streamName, http: http, logger: logger)
    }
}
