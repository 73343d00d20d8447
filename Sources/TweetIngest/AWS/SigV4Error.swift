/// Why a request could not be signed. Every case is a caller or configuration mistake that would
/// otherwise surface later as an opaque `SignatureDoesNotMatch` from AWS, so the messages say
/// what to change.
public enum SigV4Error: Error, Equatable, CustomStringConvertible {
    case invalidRegion(String)
    case invalidService(String)
    case invalidCredentials(String)
    case invalidDate
    case invalidMethod(String)
    case invalidPath(String)
    case invalidPercentEncoding(String)
    case invalidHeaderName(String)
    case invalidHeaderValue(headerName: String)
    case missingHostHeader
    case invalidPayloadHash(String)

    public var description: String {
        switch self {
        case .invalidRegion(let region):
            return "AWS region \"\(region)\" is not valid: use a region code such as \"us-east-1\" "
                + "(lowercase letters, digits and '-')"
        case .invalidService(let service):
            return "AWS service name \"\(service)\" is not valid: use the signing name such as \"s3\" "
                + "(lowercase letters, digits and '-')"
        case .invalidCredentials(let reason):
            return "AWS credentials are not usable: \(reason)"
        case .invalidDate:
            return "the signing date is outside the years 1000-9999; check the system clock"
        case .invalidMethod(let method):
            return "HTTP method \"\(method)\" is not valid: use a token such as \"GET\" or \"PUT\""
        case .invalidPath(let path):
            return "request path \"\(path)\" contains '?' or '#': pass only the path and give the "
                + "query string separately in `query:` (a fragment is never sent)"
        case .invalidPercentEncoding(let text):
            return "\"\(text)\" has a '%' that is not followed by two hex digits: percent-encode a "
                + "literal '%' as %25 (AWSURIEncoding.encode does this)"
        case .invalidHeaderName(let name):
            return "header name \"\(name)\" is not a valid HTTP token: remove spaces, ':' and "
                + "control characters"
        case .invalidHeaderValue(let name):
            return "the value of header \"\(name)\" contains CR, LF or NUL: HTTP cannot carry it; "
                + "remove the line breaks"
        case .missingHostHeader:
            return "the request has no Host header: add (\"host\", \"<bucket>.s3.<region>.amazonaws.com\") "
                + "with exactly the host the HTTP client will connect to; SigV4 always signs it"
        case .invalidPayloadHash(let hash):
            return "payload hash \"\(hash)\" is not valid: pass Crypto.hex(Crypto.sha256(body)) "
                + "(64 lowercase hex digits) or SigV4Signer.unsignedPayload"
        }
    }
}
