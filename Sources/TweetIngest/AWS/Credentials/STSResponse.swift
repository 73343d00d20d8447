import FoundationEssentials

/// STS's XML answers: `<AssumeRoleResult><Credentials>` on success, `<ErrorResponse><Error>` with
/// `Code` and `Message` otherwise. Failure reasons never quote the body (it may hold a secret).
enum STSResponse {
    static func credentials(from response: HTTPResponse, source: String) throws(ParseError) -> ProvidedCredentials {
        let text = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
        guard response.status == 200 else {
            throw ParseError(
                reason: awsErrorAnswerText(
                    status: response.status, code: XMLText.first("Code", in: text), message: XMLText.first("Message", in: text),
                    requestID: XMLText.first("RequestId", in: text) ?? response.header("x-amzn-requestid")),
                status: response.status, code: XMLText.first("Code", in: text))
        }
        guard let block = XMLText.first("Credentials", in: text), let id = XMLText.first("AccessKeyId", in: block),
            let secret = XMLText.first("SecretAccessKey", in: block), !id.isEmpty, !secret.isEmpty
        else {
            throw ParseError(reason: "the answer has no Credentials with AccessKeyId and SecretAccessKey (\(response.body.count) bytes)")
        }
        guard let expirationText = XMLText.first("Expiration", in: block), let expiration = parseRFC3339(expirationText) else {
            throw ParseError(reason: "the answer's Credentials have no RFC 3339 Expiration")
        }
        let token = XMLText.first("SessionToken", in: block).flatMap { $0.isEmpty ? nil : $0 }
        return ProvidedCredentials(
            credentials: AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token), expiration: expiration,
            source: source)
    }

    struct ParseError: Error {
        var reason: String
        var status: Int = 200
        var code: String?

        /// Throttling and server errors are worth another try; a refused role is not.
        var isRetryable: Bool {
            status >= 500 || code == "Throttling" || code == "IDPCommunicationError" || code == "RequestLimitExceeded"
        }
    }
}
