import FoundationEssentials

/// What S3 says went wrong: the `<Error>` XML body (`Code`, `Message`, `RequestId`, and for a
/// wrong region `Region` or `Endpoint`), or, for a body-less answer such as HEAD, the status and
/// the `x-amz-request-id` / `x-amz-bucket-region` headers.
public struct S3ErrorResponse: Sendable, Equatable {
    public var status: Int
    public var code: String?
    public var message: String?
    public var requestID: String?
    /// The bucket's real region when S3 says the request went to the wrong one.
    public var bucketRegion: String?

    public init(status: Int, code: String? = nil, message: String? = nil, requestID: String? = nil, bucketRegion: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.bucketRegion = bucketRegion
    }

    public init(_ response: HTTPResponse) {
        let text = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
        self.init(
            status: response.status, code: XMLText.first("Code", in: text), message: XMLText.first("Message", in: text),
            requestID: XMLText.first("RequestId", in: text) ?? response.header("x-amz-request-id"),
            bucketRegion: XMLText.first("Region", in: text) ?? response.header("x-amz-bucket-region"))
    }

    /// Whether a 200 answer is really an error: CompleteMultipartUpload can fail after S3 has
    /// sent its 200 status line, and then the body is an `<Error>` document.
    static func isErrorDocument(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(512), as: UTF8.self)
        return head.containsText("<Error>") && !head.containsText("<CompleteMultipartUploadResult")
    }
}

/// Just enough XML for S3's small answers: the text of the first element with a given name.
enum XMLText {
    static func first(_ name: String, in text: String) -> String? {
        guard let open = text.firstRange(ofText: "<\(name)>"),
            let close = text[open.upperBound...].firstRange(ofText: "</\(name)>")
        else { return nil }
        return unescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingEvery("&lt;", with: "<").replacingEvery("&gt;", with: ">")
            .replacingEvery("&quot;", with: "\"").replacingEvery("&apos;", with: "'")
            .replacingEvery("&#39;", with: "'").replacingEvery("&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingEvery("&", with: "&amp;").replacingEvery("<", with: "&lt;")
            .replacingEvery(">", with: "&gt;")
    }
}
