import FoundationEssentials

/// The JSON the ECS/EKS container endpoint and EC2 instance metadata return:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (IMDS adds `"Code": "Success"`).
struct CredentialsDocument: Decodable {
    var code: String?
    var message: String?
    var accessKeyId: String?
    var secretAccessKey: String?
    var token: String?
    var expiration: String?

    enum CodingKeys: String, CodingKey {
        case code = "Code"
        case message = "Message"
        case accessKeyId = "AccessKeyId"
        case secretAccessKey = "SecretAccessKey"
        case token = "Token"
        case expiration = "Expiration"
    }

    /// Parses and checks the document; the failure reasons never quote the body, which may hold
    /// a secret.
    static func credentials(from body: [UInt8], source: String) throws(DocumentError) -> ProvidedCredentials {
        let document: CredentialsDocument
        do {
            document = try JSONDecoder().decode(CredentialsDocument.self, from: Data(body))
        } catch {
            throw DocumentError(reason: "the answer is not the expected JSON document (\(body.count) bytes)")
        }
        if let code = document.code, code != "Success" {
            throw DocumentError(reason: "the endpoint answered Code \"\(code)\"\(document.message.map { ": \($0)" } ?? "")")
        }
        guard
            let credentials = try provided(
                accessKeyId: document.accessKeyId, secretAccessKey: document.secretAccessKey, sessionToken: document.token,
                expiration: document.expiration, source: source, fail: { DocumentError(reason: $0) })
        else { throw DocumentError(reason: "the JSON has no AccessKeyId or SecretAccessKey") }
        return credentials
    }

    /// Credentials from a document's fields (container, IMDS, credential_process): nil without a
    /// key id or secret; an `Expiration` that is not RFC 3339 throws `fail(reason)`. An empty
    /// session token means none.
    static func provided<E: Error>(
        accessKeyId: String?, secretAccessKey: String?, sessionToken: String?, expiration text: String?, source: String,
        fail: (String) -> E
    ) throws(E) -> ProvidedCredentials? {
        guard let id = accessKeyId, !id.isEmpty, let secret = secretAccessKey, !secret.isEmpty else { return nil }
        var expiration: Date?
        if let text {
            guard let date = parseRFC3339(text) else { throw fail("an \"Expiration\" of \"\(text)\", which is not an RFC 3339 time") }
            expiration = date
        }
        return ProvidedCredentials(
            credentials: AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: sessionToken.flatMap { $0.isEmpty ? nil : $0 }),
            expiration: expiration, source: source)
    }

    struct DocumentError: Error {
        var reason: String
    }
}
