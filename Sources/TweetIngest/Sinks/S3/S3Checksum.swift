import FoundationEssentials

/// `S3_CHECKSUM`: the checksum S3 checks every object body against before it stores it, and
/// keeps with the object (HeadObject with `x-amz-checksum-mode: ENABLED` shows it).
///
/// `sha256` and `crc32` use S3's additional checksums (`x-amz-checksum-<name>`); a multipart
/// object gets a composite one (the checksum of the part checksums, `-<parts>`). `md5` is the
/// older `Content-MD5`, which OpenSSL in FIPS mode cannot compute and FIPS endpoints refuse.
/// `none` leaves only the signed `x-amz-content-sha256`, which S3 checks too but does not store.
public enum S3Checksum: String, Sendable, CaseIterable {
    case sha256
    case crc32
    case md5
    case none

    /// S3's name for the algorithm (`x-amz-checksum-algorithm`), for the additional checksums.
    public var algorithm: String? {
        switch self {
        case .sha256: "SHA256"
        case .crc32: "CRC32"
        case .md5, .none: nil
        }
    }

    /// The request and response header that carries the value: `x-amz-checksum-sha256`.
    public var headerName: String? { algorithm.map { "x-amz-checksum-\($0.lowercased())" } }

    /// The element in CompleteMultipartUpload's request and answer: `ChecksumSHA256`.
    public var elementName: String? { algorithm.map { "Checksum\($0)" } }

    /// The binary checksum of `bytes` (nil for `md5` and `none`); `sha256` reuses a SHA-256
    /// already computed for the same bytes.
    public func digest(_ bytes: [UInt8], sha256: [UInt8]? = nil) -> [UInt8]? {
        switch self {
        case .sha256: return sha256 ?? Crypto.sha256(bytes)
        case .crc32:
            let crc = CRC32.checksum(bytes)
            return [
                UInt8(truncatingIfNeeded: crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8),
                UInt8(truncatingIfNeeded: crc),
            ]
        case .md5, .none: return nil
        }
    }

    /// The header value: base64 of the binary checksum.
    public func value(_ bytes: [UInt8], sha256: [UInt8]? = nil) -> String? {
        digest(bytes, sha256: sha256).map(Self.base64)
    }

    /// The checksum S3 gives a multipart object: the checksum of the parts' binary checksums
    /// concatenated in part order, base64, then `-<number of parts>`.
    public func composite(ofParts parts: [[UInt8]]) -> String? {
        digest(parts.flatMap { $0 }).map { "\(Self.base64($0))-\(parts.count)" }
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
