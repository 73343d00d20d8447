import Foundation
import Synchronization
import Testing

@testable import TweetIngest

/// A provider whose answers the test sets, counting how often it was asked.
final class S3FakeCredentialProvider: AWSCredentialProvider {
    enum Answer: Sendable {
        case found(String, expiration: Date?)
        case unavailable(String)
        case failure(String)
    }

    let name: String
    private let state: Mutex<(answers: [Answer], calls: Int)>

    init(_ name: String, _ answers: [Answer]) {
        self.name = name
        state = Mutex((answers, 0))
    }

    var calls: Int { state.withLock { $0.calls } }

    func lookup() async throws -> CredentialLookup {
        let answer = state.withLock { state -> Answer in
            state.calls += 1
            return state.answers.count > 1 ? state.answers.removeFirst() : state.answers[0]
        }
        switch answer {
        case .found(let id, let expiration):
            return .found(
                ProvidedCredentials(
                    credentials: AWSCredentials(accessKeyId: id, secretAccessKey: "secret-\(id)", sessionToken: "token-\(id)"),
                    expiration: expiration, source: name))
        case .unavailable(let reason):
            return .unavailable(reason)
        case .failure(let reason):
            throw AWSCredentialError.providerFailed(provider: name, reason: reason)
        }
    }
}

@Suite("AWS credential chain")
struct S3CredentialChainTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("providers are tried in order and the first with credentials wins")
    func firstFoundWins() async throws {
        let environment = S3FakeCredentialProvider("environment", [.unavailable("not set")])
        let files = S3FakeCredentialProvider("shared files", [.found("AKIAFILE", expiration: nil)])
        let container = S3FakeCredentialProvider("container", [.found("ASIACONTAINER", expiration: nil)])
        let chain = AWSCredentialChain(providers: [environment, files, container], now: { Self.start }, logger: S3Fixtures.quietLogger)
        #expect(try await chain.credentials().accessKeyId == "AKIAFILE")
        #expect(container.calls == 0)
        // Long-lived credentials are cached for good.
        _ = try await chain.credentials()
        #expect(files.calls == 1)
    }

    @Test("the standard chain's order is environment, web identity, shared files, container, instance metadata")
    func standardOrder() {
        let names = AWSCredentialSettings().providers(http: ScriptedS3Client()).map(\.name)
        #expect(names == ["environment", "web identity", "shared files", "container", "instance metadata"])
    }

    @Test("a configured but broken provider stops the chain with its error")
    func brokenProviderStops() async throws {
        let container = S3FakeCredentialProvider("container", [.failure("http://169.254.170.2/x answered HTTP 500")])
        let metadata = S3FakeCredentialProvider("instance metadata", [.found("ASIAEC2", expiration: nil)])
        let chain = AWSCredentialChain(providers: [container, metadata], now: { Self.start }, logger: S3Fixtures.quietLogger)
        await #expect(throws: AWSCredentialError.providerFailed(provider: "container", reason: "http://169.254.170.2/x answered HTTP 500"))
        {
            try await chain.credentials()
        }
        #expect(metadata.calls == 0)
    }

    @Test("with nothing found, the error lists why each provider had nothing")
    func noneFound() async throws {
        let chain = AWSCredentialChain(
            providers: [
                S3FakeCredentialProvider("environment", [.unavailable("not set")]),
                S3FakeCredentialProvider("instance metadata", [.unavailable("not on EC2")]),
            ],
            now: { Self.start }, logger: S3Fixtures.quietLogger)
        await #expect {
            try await chain.credentials()
        } throws: { error in
            "\(error)".contains("Tried: environment: not set; instance metadata: not on EC2")
        }
    }

    @Test("temporary credentials are refreshed before they expire, never used after")
    func refreshesBeforeExpiry() async throws {
        let time = S3ManualTime(Self.start)
        let expiry1 = Self.start.addingTimeInterval(3600)
        let expiry2 = Self.start.addingTimeInterval(7200)
        let container = S3FakeCredentialProvider(
            "container", [.found("ASIA1", expiration: expiry1), .found("ASIA2", expiration: expiry2)])
        let chain = AWSCredentialChain(providers: [container], refreshMargin: 300, now: time.function, logger: S3Fixtures.quietLogger)
        #expect(try await chain.credentials().accessKeyId == "ASIA1")
        time.advance(by: 3600 - 301)  // 5 min 1 s before expiry: still fresh
        #expect(try await chain.credentials().accessKeyId == "ASIA1")
        #expect(container.calls == 1)
        time.advance(by: 2)  // inside the margin: refreshed before use
        #expect(try await chain.credentials().accessKeyId == "ASIA2")
        #expect(container.calls == 2)
        let current = try await chain.current()
        #expect(current.expiration == expiry2)
    }

    @Test("a failed refresh keeps still-valid credentials, and an expired cache is an error")
    func failedRefresh() async throws {
        let time = S3ManualTime(Self.start)
        let expiry = Self.start.addingTimeInterval(600)
        let container = S3FakeCredentialProvider("container", [.found("ASIA1", expiration: expiry), .failure("endpoint down")])
        let chain = AWSCredentialChain(providers: [container], refreshMargin: 300, now: time.function, logger: S3Fixtures.quietLogger)
        _ = try await chain.credentials()
        time.advance(by: 400)  // due for refresh, not yet expired
        #expect(try await chain.credentials().accessKeyId == "ASIA1")
        time.advance(by: 300)  // expired
        await #expect {
            try await chain.credentials()
        } throws: { error in
            guard case .expired(let source, let expiredAt, let refreshError) = error as? AWSCredentialError else { return false }
            return source == "container" && expiredAt == expiry && refreshError.contains("endpoint down")
        }
    }

    @Test("concurrent callers share one refresh")
    func sharedRefresh() async throws {
        let container = S3FakeCredentialProvider("container", [.found("ASIA1", expiration: Self.start.addingTimeInterval(3600))])
        let chain = AWSCredentialChain(providers: [container], now: { Self.start }, logger: S3Fixtures.quietLogger)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await chain.credentials().accessKeyId } }
            for try await id in group { #expect(id == "ASIA1") }
        }
        #expect(container.calls == 1)
    }

    @Test("invalidate forces a new lookup")
    func invalidate() async throws {
        let files = S3FakeCredentialProvider("shared files", [.found("AKIA1", expiration: nil), .found("AKIA2", expiration: nil)])
        let chain = AWSCredentialChain(providers: [files], now: { Self.start }, logger: S3Fixtures.quietLogger)
        #expect(try await chain.credentials().accessKeyId == "AKIA1")
        await chain.invalidate()
        #expect(try await chain.credentials().accessKeyId == "AKIA2")
    }

    @Test("descriptions never contain a secret")
    func redaction() {
        let provided = ProvidedCredentials(
            credentials: AWSCredentials(accessKeyId: "AKIAX", secretAccessKey: "very-secret", sessionToken: "session-secret"),
            expiration: Self.start, source: "container")
        let text = "\(provided) \(String(reflecting: provided)) \(provided.credentials)"
        #expect(!text.contains("very-secret"))
        #expect(!text.contains("session-secret"))
        #expect(text.contains("AKIAX"))
    }
}
