import Foundation
import Logging
import Synchronization

@testable import TweetIngest

/// An `HTTPClient` that answers from a script and records every request it was given.
final class ScriptedS3Client: HTTPClient {
    enum Reply: Sendable {
        case response(HTTPResponse)
        case failure(HTTPTransportError)

        static func status(_ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> Reply {
            .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
        }

        /// An S3 `<Error>` document.
        static func s3Error(_ status: Int, code: String, message: String, requestID: String = "REQ123", region: String? = nil) -> Reply {
            let regionElement = region.map { "<Region>\($0)</Region>" } ?? ""
            return .status(
                status,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message>"
                    + "\(regionElement)<RequestId>\(requestID)</RequestId><HostId>host</HostId></Error>",
                headers: [("x-amz-request-id", requestID)])
        }

        static let reset = Reply.failure(HTTPTransportError(kind: .connectionDropped, message: "Connection reset by peer"))
        static let timeout = Reply.failure(HTTPTransportError(kind: .timedOut, message: "Operation timed out after 30000 ms"))
        static let refused = Reply.failure(
            HTTPTransportError(kind: .connectionFailed, message: "Failed to connect to 127.0.0.1 port 9: Connection refused"))
    }

    private struct State {
        var replies: [Reply]
        var requests: [HTTPRequest] = []
    }

    private let state: Mutex<State>
    /// Answers when the script is used up (or always, when the script is empty from the start).
    private let fallback: @Sendable (HTTPRequest) -> Reply

    init(_ replies: [Reply] = [], fallback: @escaping @Sendable (HTTPRequest) -> Reply = { _ in .status(599, "unscripted") }) {
        state = Mutex(State(replies: replies))
        self.fallback = fallback
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reply = state.withLock { state -> Reply in
            state.requests.append(request)
            return state.replies.isEmpty ? fallback(request) : state.replies.removeFirst()
        }
        switch reply {
        case .response(let response): return response
        case .failure(let error): throw error
        }
    }
}

/// A wall clock the test moves by hand.
final class S3ManualTime: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Records the delays a client asked to sleep instead of sleeping.
final class S3RecordedSleeps: Sendable {
    private let delays = Mutex<[TimeInterval]>([])
    var all: [TimeInterval] { delays.withLock { $0 } }
    var function: @Sendable (TimeInterval) async throws -> Void { { delay in self.delays.withLock { $0.append(delay) } } }
}

/// Shared fixtures for the S3 unit tests.
enum S3Fixtures {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    static func chain(_ credentials: AWSCredentials = credentials) -> AWSCredentialChain {
        AWSCredentialChain(
            providers: [
                EnvironmentCredentialProvider(
                    accessKeyID: credentials.accessKeyId, secretAccessKey: Secret(credentials.secretAccessKey),
                    sessionToken: credentials.sessionToken.map(Secret.init))
            ], now: { date }, logger: quietLogger)
    }

    static func client(
        _ http: ScriptedS3Client, bucket: String = "tweets-bucket", endpoint: S3Endpoint? = nil,
        sleeps: S3RecordedSleeps = S3RecordedSleeps()
    ) throws -> S3Client {
        let requests = try S3RequestBuilder(bucket: bucket, region: "us-east-1", endpoint: endpoint)
        return S3Client(
            http: http, requests: requests, credentials: chain(), logger: S3Fixtures.quietLogger, now: { date },
            sleep: sleeps.function, randomUnit: { 0.5 })
    }
}

extension S3Fixtures {
    static let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
