import Foundation
import Testing

@testable import TweetIngest

/// Support/s3/fake_ecs_credentials.py on 127.0.0.1, serving the documented container
/// credentials JSON from a list of temporary credentials.
final class S3FakeContainerCredentials {
    let process: ChildProcess
    let port: Int
    static let path = "/v2/credentials/task-1234"

    struct Stats: Decodable {
        var requests: Int
        var authorization: [String?]
    }

    init(credentials: [S3TestKeys], ttlSeconds: Int, authorization: String? = nil) throws {
        let file = try Paths.temporaryDirectory("ecs") + "/credentials.json"
        let list = credentials.map {
            ["AccessKeyId": $0.accessKeyID, "SecretAccessKey": $0.secretAccessKey, "SessionToken": $0.sessionToken ?? ""]
        }
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: file))
        var arguments = [
            S3Boto.fakeContainerCredentials, "--credentials", file, "--path", Self.path, "--ttl-seconds", String(ttlSeconds),
            "--max-seconds", "180",
        ]
        if let authorization { arguments += ["--authorization", authorization] }
        process = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3"] + arguments, environment: S3Boto.baseEnvironment)
        guard process.waitForLines(timeout: 20, where: { $0.hasPrefix("LISTENING ") }),
            let line = process.lines.first(where: { $0.hasPrefix("LISTENING ") }), let port = Int(line.dropFirst("LISTENING ".count))
        else { throw HarnessError("the fake container credentials endpoint did not start: \(process.allOutput)") }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stats() async throws -> Stats {
        let response = try await CurlHTTPClient().execute(HTTPRequest(url: baseURL + "/_fake/stats", timeoutSeconds: 5))
        return try JSONDecoder().decode(Stats.self, from: Data(response.body))
    }

    func stop() {
        guard process.process.isRunning else { return }
        process.send(SIGTERM)
        _ = process.waitForExit(timeout: 10)
    }

    deinit { stop() }
}

@Suite("S3 with ECS container credentials from a loopback fake", .timeLimit(.minutes(3)))
struct S3ContainerCredentialsIntegrationTests {
    @Test("temporary credentials from the full URI sign requests moto accepts, and are refreshed before they expire")
    func fullURIWithRefresh() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-ecs"], roleSessions: 2)
        defer { moto.stop() }
        let fake = try S3FakeContainerCredentials(credentials: moto.sessions, ttlSeconds: 900, authorization: "Bearer pod-token")
        defer { fake.stop() }
        let settings = AWSCredentialSettings(
            containerFullURI: fake.baseURL + S3FakeContainerCredentials.path, containerAuthorizationToken: Secret("Bearer pod-token"),
            ec2MetadataDisabled: true)
        let http = CurlHTTPClient()
        let time = S3ManualWallClock(Date())
        let chain = AWSCredentialChain(providers: settings.providers(http: http), now: time.function, logger: S3TestSupport.logger)
        let requests = try S3RequestBuilder(bucket: "tweets-ecs", region: "us-east-1", endpoint: S3Endpoint(parsing: moto.endpoint))
        let sink = S3Sink(client: S3Client(http: http, requests: requests, credentials: chain, logger: S3TestSupport.logger))

        try await sink.deliver(DeliveryObject(key: "first.ndjson", body: Array("1\n".utf8), recordCount: 1))
        let first = try await chain.current()
        #expect(first.credentials.accessKeyId == moto.sessions[0].accessKeyID)
        #expect(first.source.contains("container credentials at \(fake.baseURL)"))
        let expiration = try #require(first.expiration)
        #expect(abs(expiration.timeIntervalSinceNow - 900) < 60)

        time.advance(by: 500)  // still more than 5 minutes left: cached
        try await sink.deliver(DeliveryObject(key: "second.ndjson", body: Array("2\n".utf8), recordCount: 1))
        #expect(try await fake.stats().requests == 1)

        time.advance(by: 150)  // 4 min 10 s left: refreshed before the request is signed
        try await sink.deliver(DeliveryObject(key: "third.ndjson", body: Array("3\n".utf8), recordCount: 1))
        let stats = try await fake.stats()
        #expect(stats.requests == 2)
        #expect(stats.authorization == ["Bearer pod-token", "Bearer pod-token"])
        #expect(try await chain.current().credentials.accessKeyId == moto.sessions[1].accessKeyID)
        #expect(Set(try S3Boto.keys(moto, bucket: "tweets-ecs")) == ["first.ndjson", "second.ndjson", "third.ndjson"])
    }

    @Test("the relative URI is resolved against the (injected) ECS endpoint; a wrong token is reported without secrets")
    func relativeURIAndRefusal() async throws {
        let moto = try await S3MotoServer(buckets: ["tweets-ecs2"], roleSessions: 1)
        defer { moto.stop() }
        let fake = try S3FakeContainerCredentials(credentials: moto.sessions, ttlSeconds: 3600)
        defer { fake.stop() }
        let http = CurlHTTPClient()
        let relative = ContainerCredentialProvider(
            relativeURI: S3FakeContainerCredentials.path, fullURI: nil, authorizationToken: nil, authorizationTokenFile: nil, http: http,
            endpoint: fake.baseURL)
        let chain = AWSCredentialChain(providers: [relative], now: { Date() }, logger: S3TestSupport.logger)
        let requests = try S3RequestBuilder(bucket: "tweets-ecs2", region: "us-east-1", endpoint: S3Endpoint(parsing: moto.endpoint))
        let client = S3Client(http: http, requests: requests, credentials: chain, logger: S3TestSupport.logger)
        try await S3Healthcheck.run(client, region: "us-east-1")
        #expect(try await chain.current().credentials.sessionToken == moto.sessions[0].sessionToken)

        let guarded = try S3FakeContainerCredentials(credentials: moto.sessions, ttlSeconds: 3600, authorization: "Bearer right")
        defer { guarded.stop() }
        let wrongToken = ContainerCredentialProvider(
            relativeURI: nil, fullURI: guarded.baseURL + S3FakeContainerCredentials.path, authorizationToken: Secret("Bearer wrong"),
            authorizationTokenFile: nil, http: http)
        await #expect {
            try await wrongToken.lookup()
        } throws: { error in
            let text = "\(error)"
            return text.contains("HTTP 401") && !text.contains("Bearer wrong") && !text.contains(moto.sessions[0].secretAccessKey)
        }
    }
}

/// A wall clock the test moves by hand.
final class S3ManualWallClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }

    var function: @Sendable () -> Date { { self.lock.withLock { self.current } } }
}
