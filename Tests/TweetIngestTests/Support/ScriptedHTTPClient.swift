import Foundation

@testable import TweetIngest

/// One scripted answer: a response, or a transport failure (no response at all).
enum ScriptedReply: Sendable {
    case response(HTTPResponse)
    case transportError(HTTPTransportError)

    /// A 200 with `body` and the given headers.
    static func ok(_ body: [UInt8], headers: [(name: String, value: String)] = []) -> ScriptedReply {
        .response(HTTPResponse(status: 200, headers: headers, body: body))
    }

    static func status(_ status: Int, body: String = "", headers: [(name: String, value: String)] = []) -> ScriptedReply {
        .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static func dropped(_ message: String = "Connection reset by peer") -> ScriptedReply {
        .transportError(HTTPTransportError(kind: .connectionDropped, message: message))
    }
}

/// An `HTTPClient` that replays scripted replies in order and records every request. When the
/// script runs out it fails like a dead network, so a client that asks too often is visible in
/// the outcome and in `requests.count`.
final class ScriptedHTTPClient: HTTPClient, @unchecked Sendable {
    private let state: Locked<(replies: [ScriptedReply], requests: [HTTPRequest])>

    init(_ replies: [ScriptedReply]) {
        state = Locked((replies, []))
    }

    /// Adds replies after the ones still scripted (for a later poll cycle).
    func enqueue(_ replies: [ScriptedReply]) { state.withLock { $0.replies += replies } }

    var requests: [HTTPRequest] { state.value.requests }
    var unusedReplies: Int { state.value.replies.count }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reply: ScriptedReply? = state.withLock { state in
            state.requests.append(request)
            return state.replies.isEmpty ? nil : state.replies.removeFirst()
        }
        switch reply {
        case .response(let response)?:
            return response
        case .transportError(let error)?:
            throw error
        case nil:
            throw HTTPTransportError(kind: .other, message: "ScriptedHTTPClient: no reply scripted for request \(requests.count)")
        }
    }
}

extension HTTPRequest {
    /// The decoded query parameters of the URL, by name.
    var queryParameters: [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
}
