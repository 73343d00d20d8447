import FoundationEssentials

/// Where S3 requests go: AWS's regional endpoint or a custom one (`AWS_ENDPOINT_URL_S3` for
/// MinIO, LocalStack, moto). Parsed by hand so an IPv6 host keeps its brackets and the port is
/// exactly what the client will put in the `Host` header it signs.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Lowercased; an IPv6 address keeps its brackets (`[::1]`).
    public var host: String
    public var port: Int?
    /// A path the service is mounted under (`/s3`), without a trailing slash; usually empty.
    public var basePath: String

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// `http(s)://host[:port][/path]`; nil for anything else (user info, query, fragment).
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        guard let separator = trimmed.firstRange(ofText: "://") else { return nil }
        let scheme = trimmed[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = trimmed[separator.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { return nil }
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority)
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        }
        if let port, !(1...65535).contains(port) { return nil }
        guard !host.isEmpty,
            host.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.[]:_".unicodeScalars.contains($0))
            })
        else { return nil }
        self.init(scheme: scheme, host: host.lowercased(), port: port, basePath: path)
    }

    /// AWS's regional endpoint, `https://s3.<region>.amazonaws.com` (`.com.cn` in China).
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : ""))
    }

    /// `host[:port]`, the value of the `Host` header; a default port is left out, as curl does.
    public var authority: String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return host }
        return "\(host):\(port)"
    }

    public var description: String { "\(scheme)://\(authority)\(basePath)" }

    /// An IP literal or `localhost`: no DNS name to put a bucket in front of, so path style.
    public var needsPathStyle: Bool { isIPAddress || host == "localhost" }

    public var isIPAddress: Bool {
        if host.hasPrefix("[") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part) != nil }
    }

    public var isLoopback: Bool {
        host == "localhost" || host == "[::1]" || (isIPAddress && host.hasPrefix("127."))
    }
}
