import FoundationEssentials

/// What an answer from recent search means for the poller.
public enum SearchResponse: Sendable, Equatable {
    /// 200: a page to use (partial `errors[]` included).
    case page
    /// 429 with the 15-minute window used up: wait until the reset.
    case rateLimited(until: Date?)
    /// A usage cap: the body says so (whatever the headers say), or a 429 whose body says
    /// nothing arrived while requests remain in the window.
    case usageCapped(UsageCap)
    /// 5xx and other transient answers: retry with backoff.
    case retryable(String)
    /// 400 because `since_id` is older than the API's 7-day window.
    case staleSinceID(String)
    /// 400: the request itself is wrong (query syntax, field names); retrying cannot help.
    case badRequest(String)
    /// 401/403: the token or the app's access is wrong.
    case notAuthorized(status: Int, String)

    public init(_ response: HTTPResponse) {
        if (200..<300).contains(response.status) {
            self = .page  // the page itself is parsed once, by the normalizer
            return
        }
        let problem = APIProblem(body: response.body)
        if let cap = UsageCap(problem: problem) {
            self = .usageCapped(cap)  // whatever the status and the rate-limit headers say
            return
        }
        switch response.status {
        case 429:
            let limit = RateLimit(response)
            if let remaining = limit.remaining, remaining > 0 {
                self = .usageCapped(UsageCap(period: .unknown, scope: nil, detail: problem.summary))
            } else {
                self = .rateLimited(until: limit.reset)
            }
        case 400 where problem.mentionsStaleSinceID:
            self = .staleSinceID(problem.summary)
        case 400, 404, 422:
            self = .badRequest(problem.summary)
        case 401, 403:
            self = .notAuthorized(status: response.status, problem.summary)
        default:
            self = .retryable("HTTP \(response.status): \(problem.summary)")
        }
    }
}

/// The useful text of an X API error body (`title`, `detail`, `errors[].message`), never the
/// request headers.
public struct APIProblem: Sendable, Equatable {
    public var title: String?
    public var detail: String?
    public var messages: [String] = []
    /// RFC 7807 `type`, e.g. `https://api.x.com/2/problems/usage-capped`.
    public var type: String?
    /// Usage-cap problems: `Daily` or `Monthly`.
    public var period: String?
    /// Usage-cap problems: `Account` or `Product`.
    public var scope: String?

    public init(body: [UInt8]) {
        guard let object = JSONStringMembers.parse(body) else {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingWhitespace()
            detail = text.isEmpty ? nil : text
            return
        }
        title = object["title"]
        detail = object["detail"]
        type = object["type"]
        period = object["period"]
        scope = object["scope"]
        messages = (object.objectLists["errors"] ?? []).compactMap { $0["message"] ?? $0["detail"] }
    }

    public var summary: String {
        let parts = [title, detail].compactMap { $0 } + messages
        return parts.isEmpty ? "(no error text in the response)" : parts.joined(separator: " | ")
    }

    /// The 400 recent search gives for a `since_id` or `start_time` outside its 7-day window.
    var mentionsStaleSinceID: Bool {
        messages.contains { message in
            (message.containsText("since_id") && (message.containsText("larger than") || message.containsText("created after")))
                || (message.containsText("start_time") && message.containsText("on or after"))
        }
    }
}
