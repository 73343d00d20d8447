import FoundationEssentials

/// The Firehose calls tweet-ingest makes, named as in the Firehose API reference.
public enum FirehoseOperation: String, Sendable {
    case putRecordBatch = "PutRecordBatch"
    case describeDeliveryStream = "DescribeDeliveryStream"

    /// The `X-Amz-Target` header value (AWS JSON 1.1 protocol).
    public var target: String { "Firehose_20150804." + rawValue }

    /// The IAM action that allows it.
    public var permission: String { "firehose:" + rawValue }
}

/// What Firehose says went wrong. AWS JSON services name the error in the `x-amzn-ErrorType`
/// header and in the body's `__type` (`AccessDeniedException`, or with a namespace before `#`),
/// with the text in `message`; some front ends (and moto's signature checks) answer with an
/// XML `<Code>`/`<Message>` document instead, so both are read.
public struct FirehoseErrorResponse: Sendable, Equatable {
    public var status: Int
    public var code: String?
    public var message: String?
    public var requestID: String?

    public init(status: Int, code: String? = nil, message: String? = nil, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    public init(_ response: HTTPResponse) {
        let body = Array(response.body.prefix(64 * 1024))
        let json = JSONStringMembers.parse(body)
        let text = String(decoding: body, as: UTF8.self)
        let headerCode = response.header("x-amzn-errortype").map { String($0.prefix { $0 != ":" }) }
        let bodyCode = json?["__type"] ?? json?["code"] ?? XMLText.first("Code", in: text)
        let code = (headerCode.flatMap { $0.isEmpty ? nil : $0 } ?? bodyCode).map { String($0.split(separator: "#").last ?? "") }
        self.init(
            status: response.status, code: code.flatMap { $0.isEmpty ? nil : $0 },
            message: json?["message"] ?? json?["Message"] ?? XMLText.first("Message", in: text),
            requestID: response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
                ?? XMLText.first("RequestId", in: text))
    }
}
