import FoundationEssentials

/// The result of `SigV4Signer.sign`: the headers to send plus every intermediate stage, kept
/// for debugging `SignatureDoesNotMatch`. Its description hides the token and signature, which
/// would let a reader of the logs replay the request.
public struct SigV4SignedRequest: Sendable, CustomStringConvertible {
    /// Headers to put on the request, `authorization` last.
    public let headers: [(String, String)]
    public let authorization: String
    public let canonicalRequest: String
    public let stringToSign: String
    public let signedHeaders: String
    public let signature: String

    public var description: String {
        let shown = headers.map { name, value in
            ["authorization", "x-amz-security-token"].contains(name.lowercased())
                ? "\(name): <redacted>" : "\(name): \(value)"
        }
        return "SigV4SignedRequest(signedHeaders: \(signedHeaders), headers: [\(shown.joined(separator: ", "))])"
    }
}

/// `x-amz-date` and the scope's day for one instant, in UTC. Built from `UTCTime` rather than
/// `DateFormatter`, whose locale and calendar settings can silently change the digits.
struct SigV4Timestamp: Sendable {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    let dateTime: String
    /// `yyyyMMdd`.
    let day: String

    init(_ date: Date) throws(SigV4Error) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // Years 1000 through 9999: anything else is a broken clock and would not fit the format.
        guard seconds >= -30_610_224_000, seconds <= 253_402_300_799 else { throw .invalidDate }
        let time = UTCTime(Date(timeIntervalSince1970: seconds))
        day = Self.digits(time.year, 4) + Self.digits(time.month) + Self.digits(time.day)
        dateTime = day + "T" + Self.digits(time.hour) + Self.digits(time.minute) + Self.digits(time.second) + "Z"
    }

    private static func digits(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension SigV4Signer {
    /// Region and service become path components of the credential scope, so they must not
    /// contain `/` or anything else AWS would not accept there.
    static func isScopeComponent(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "-")
            }
    }

    static func validate(_ credentials: AWSCredentials) throws(SigV4Error) {
        if credentials.accessKeyId.isEmpty || credentials.accessKeyId.utf8.contains(where: { $0 <= 0x20 || $0 == 0x2F }) {
            throw .invalidCredentials("the access key id is empty or contains spaces or '/'; check AWS_ACCESS_KEY_ID")
        }
        if credentials.secretAccessKey.isEmpty {
            throw .invalidCredentials("the secret access key is empty; check AWS_SECRET_ACCESS_KEY")
        }
        if credentials.sessionToken?.isEmpty == true {
            throw .invalidCredentials("the session token is empty; unset it or pass the token STS returned")
        }
    }

    /// A hex SHA-256 (what S3 checks the body against) or one of AWS's literal markers.
    static func validate(payloadHash: String) throws(SigV4Error) {
        let isHexSHA256 =
            payloadHash.utf8.count == 64
            && payloadHash.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
        if isHexSHA256 || payloadHash == unsignedPayload || payloadHash.hasPrefix("STREAMING-") { return }
        throw .invalidPayloadHash(payloadHash)
    }
}
