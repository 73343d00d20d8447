/// The canonical forms of a request's parts (SigV4 task 1). AWS recomputes these from the request
/// it receives, so each rule here mirrors what the server does, not what is convenient.
extension SigV4Signer {
    /// Canonical URI for `path`, the path as it goes on the request line.
    ///
    /// - S3 (`service == "s3"`): no normalization (`a//b` and `./` are part of object keys), and
    ///   each segment is encoded exactly once: escapes already present are decoded first, so both
    ///   a raw key (`/my file+1.txt`) and its encoded form give `/my%20file%2B1.txt`. A literal
    ///   `%` in a key must therefore arrive encoded as `%25`.
    /// - Other services: dot segments are removed and `//` collapsed (RFC 3986), then each
    ///   segment is encoded again as the path stands, so `%20` on the wire becomes `%2520`
    ///   ("double encoding"). The test suite's request lines carry raw bytes, for which this
    ///   yields the single encoding its `.creq` files show.
    public func canonicalURI(path: String) throws(SigV4Error) -> String {
        if path.contains("?") || path.contains("#") { throw .invalidPath(path) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(path.hasPrefix("/") ? 1 : 0)
        if isS3 {
            var encoded: [String] = []
            for segment in segments {
                guard let bytes = AWSURIEncoding.decode(segment) else { throw .invalidPercentEncoding(path) }
                encoded.append(AWSURIEncoding.encode(bytes: bytes))
            }
            return "/" + encoded.joined(separator: "/")
        }
        let normalized = Self.removingDotSegments(Array(segments))
        let body = normalized.segments.map { AWSURIEncoding.encode(bytes: $0.utf8) }.joined(separator: "/")
        if body.isEmpty { return "/" }
        return "/" + body + (normalized.trailingSlash ? "/" : "")
    }

    /// RFC 3986 section 5.2.4 plus collapsing empty segments, which AWS also normalizes away.
    static func removingDotSegments(_ segments: [Substring]) -> (segments: [Substring], trailingSlash: Bool) {
        var output: [Substring] = []
        for segment in segments {
            switch segment {
            case "", ".": continue
            case "..": _ = output.popLast()
            default: output.append(segment)
            }
        }
        let trailingSlash = segments.last.map { $0.isEmpty || $0 == "." || $0 == ".." } ?? false
        return (output, trailingSlash)
    }

    /// Canonical query string for `query` (without the `?`): every name and value decoded and
    /// re-encoded with `AWSURIEncoding`, a missing `=` giving an empty value (`lifecycle` becomes
    /// `lifecycle=`), sorted by encoded name and then encoded value, byte by byte.
    public static func canonicalQuery(_ query: String) throws(SigV4Error) -> String {
        var pairs: [(name: String, value: String)] = []
        for parameter in query.split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = AWSURIEncoding.decode(parts[0]),
                let value = AWSURIEncoding.decode(parts.count > 1 ? parts[1] : "")
            else { throw .invalidPercentEncoding(String(parameter)) }
            pairs.append((AWSURIEncoding.encode(bytes: name), AWSURIEncoding.encode(bytes: value)))
        }
        pairs.sort { lhs, rhs in
            lhs.name == rhs.name
                ? lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
                : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
        }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Canonical header block (each line `name:value\n`) and the signed-headers list. Names are
    /// lowercased and sorted; values trimmed with inner runs of spaces collapsed; repeated names
    /// joined with `,` in the order given, as an HTTP server would combine them.
    public static func canonicalHeaders(_ headers: [(String, String)]) throws(SigV4Error) -> (
        canonical: String, signedHeaders: String
    ) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenCharacter) else { throw .invalidHeaderName(name) }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .invalidHeaderValue(headerName: name)
            }
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            values[name.lowercased(), default: []].append(collapsed)
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonical = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    /// RFC 9110 `tchar`, the characters allowed in a header name or method.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        if AWSURIEncoding.isUnreserved(byte) { return true }
        return "!#$%&'*+^`|".utf8.contains(byte)
    }
}
