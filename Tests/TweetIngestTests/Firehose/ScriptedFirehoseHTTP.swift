import Foundation
import Logging
import Synchronization

@testable import TweetIngest

/// An `HTTPClient` that answers Firehose requests from a script (or a function of the request)
/// and records every request it was given.
final class ScriptedFirehoseHTTP: HTTPClient {
    enum Reply: Sendable {
        case response(HTTPResponse)
        case failure(HTTPTransportError)

        static func status(_ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> Reply {
            .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
        }

        /// An AWS JSON 1.1 error: `x-amzn-ErrorType` header and `{"__type","message"}` body.
        static func awsError(_ status: Int, _ type: String, _ message: String, requestID: String = "REQ-1") -> Reply {
            .status(
                status, #"{"__type":"\#(type)","message":"\#(message)"}"#,
                headers: [
                    ("x-amzn-ErrorType", "\(type):http://internal.amazon.com/coral/com.amazonaws.firehose/"),
                    ("x-amzn-RequestId", requestID),
                ])
        }

        /// A PutRecordBatch answer: `nil` entries succeed, others fail with that code.
        static func putResult(_ failures: [String?]) -> Reply {
            let entries = failures.enumerated().map { index, code in
                code.map { #"{"ErrorCode":"\#($0)","ErrorMessage":"Slow down."}"# } ?? #"{"RecordId":"rec-\#(index)"}"#
            }
            let failed = failures.filter { $0 != nil }.count
            return .status(200, #"{"FailedPutCount":\#(failed),"Encrypted":false,"RequestResponses":[\#(entries.joined(separator: ","))]}"#)
        }

        static let reset = Reply.failure(HTTPTransportError(kind: .connectionDropped, message: "Connection reset by peer"))
    }

    private struct State {
        var replies: [Reply]
        var requests: [HTTPRequest] = []
    }

    private let state: Mutex<State>
    private let fallback: @Sendable (HTTPRequest) -> Reply

    /// With no script left, every PutRecordBatch succeeds for all its records.
    init(_ replies: [Reply] = [], fallback: @escaping @Sendable (HTTPRequest) -> Reply = ScriptedFirehoseHTTP.acceptAll) {
        state = Mutex(State(replies: replies))
        self.fallback = fallback
    }

    static let acceptAll: @Sendable (HTTPRequest) -> Reply = { request in
        .putResult(Array(repeating: nil, count: FirehoseFixtures.records(in: request).count))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// The records of each PutRecordBatch sent, decoded from base64.
    var sentRecords: [[[UInt8]]] { requests.map(FirehoseFixtures.records(in:)) }

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

/// Shared fixtures for the Firehose unit tests.
enum FirehoseFixtures {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2026-01-23T04:05:06Z, the time the botocore reference signatures were computed for.
    static let date = Date(timeIntervalSince1970: 1_769_141_106)
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func chain(_ credentials: AWSCredentials = credentials) -> AWSCredentialChain {
        AWSCredentialChain(
            providers: [
                EnvironmentCredentialProvider(
                    accessKeyID: credentials.accessKeyId, secretAccessKey: Secret(credentials.secretAccessKey),
                    sessionToken: credentials.sessionToken.map(Secret.init))
            ], now: { date }, logger: logger)
    }

    static func client(_ http: ScriptedFirehoseHTTP, stream: String = "tweets", sleeps: RecordingSleep = RecordingSleep()) throws
        -> FirehoseClient
    {
        FirehoseClient(
            http: http, requests: try FirehoseRequestBuilder(streamName: stream, region: "eu-west-1"), credentials: chain(), logger: logger,
            now: { date }, sleep: sleeps.closure, randomUnit: { 0.5 })
    }

    static func sink(
        _ http: ScriptedFirehoseHTTP, errorOutput: FakeSink = FakeSink(), sleeps: RecordingSleep = RecordingSleep(),
        limits: FirehoseLimits = FirehoseLimits()
    ) throws -> FirehoseSink {
        FirehoseSink(client: try client(http, sleeps: sleeps), errorOutput: errorOutput, limits: limits)
    }

    /// `n` small JSON Lines records, `{"id":"<i>"}\n`.
    static func lines(_ count: Int, from start: Int = 0) -> [UInt8] {
        (start..<(start + count)).flatMap { Array(#"{"id":"\#($0)"}"#.utf8) + [0x0A] }
    }

    static func object(_ body: [UInt8], key: String = "2026/01/23/04/tweets-1-2026-01-23-04-05-06-k1") -> DeliveryObject {
        DeliveryObject(key: key, body: body, recordCount: body.filter { $0 == 0x0A }.count)
    }

    /// The decoded `Data` of each record in a PutRecordBatch request body.
    static func records(in request: HTTPRequest) -> [[UInt8]] {
        guard let body = request.body, let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let records = json["Records"] as? [[String: Any]]
        else { return [] }
        return records.map { Array(Data(base64Encoded: $0["Data"] as? String ?? "") ?? Data()) }
    }
}
