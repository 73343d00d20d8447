import COpenSSL
import FoundationEssentials

/// Hashing and MACs over OpenSSL's libcrypto, the only Swift file that imports `COpenSSL`, so
/// the rest of the code base never handles OpenSSL pointers.
///
/// SHA-256 and HMAC-SHA256 cannot fail for valid inputs; OpenSSL reports failure only when it
/// cannot allocate memory or its default provider is broken, which no caller can recover from,
/// so those paths stop the process with a message rather than returning an optional.
public enum Crypto {
    /// Length of a SHA-256 digest in bytes.
    public static let sha256Length = Int(SHA256_DIGEST_LENGTH)

    /// SHA-256 of `data` in one call (`EVP_Digest`).
    public static func sha256(_ data: some ContiguousBytes) -> [UInt8] {
        data.withUnsafeBytes { digest(EVP_sha256(), $0) }
    }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// SHA-1 of `data` (`EVP_Digest`): only for names others derive with it (the AWS SSO token
    /// cache), never for integrity.
    public static func sha1(_ data: some ContiguousBytes) -> [UInt8] {
        data.withUnsafeBytes { digest(EVP_sha1(), $0) }
    }

    /// HMAC-SHA256 of `data` under `key` in one call (OpenSSL's `HMAC()`).
    public static func hmacSHA256(key: some ContiguousBytes, data: some ContiguousBytes) -> [UInt8] {
        key.withUnsafeBytes { keyBuffer in
            // HMAC itself replaces a key longer than the 64-byte block by its hash; doing it here
            // gives the same MAC and keeps the length within OpenSSL's `int` parameter.
            if keyBuffer.count > 64 { return hmacSHA256(key: sha256(keyBuffer), data: data) }
            return data.withUnsafeBytes { dataBuffer in
                var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
                var length: UInt32 = 0
                let result = withNonNullBase(keyBuffer) { keyPointer, keyLength in
                    withNonNullBase(dataBuffer) { dataPointer, dataLength in
                        HMAC(
                            EVP_sha256(), keyPointer, Int32(keyLength),
                            dataPointer.assumingMemoryBound(to: UInt8.self), dataLength,
                            &output, &length)
                    }
                }
                if result == nil { fatalOpenSSL("HMAC-SHA256") }
                return Array(output.prefix(Int(length)))
            }
        }
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `string` under `key`.
    public static func hmacSHA256(key: some ContiguousBytes, data string: String) -> [UInt8] {
        hmacSHA256(key: key, data: Array(string.utf8))
    }

    /// Lowercase hexadecimal, the form SigV4 uses for hashes and signatures.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Base64 of the MD5 digest, the value S3's `Content-MD5` header expects.
    ///
    /// Throws instead of stopping because MD5 is legitimately unavailable when OpenSSL runs in
    /// FIPS mode; S3 accepts uploads without `Content-MD5`, so callers can drop the header.
    public static func md5Base64(_ data: some ContiguousBytes) throws(CryptoError) -> String {
        guard let md5 = EVP_MD_fetch(nil, "MD5", nil) else { throw .algorithmUnavailable("MD5") }
        defer { EVP_MD_free(md5) }
        let bytes = data.withUnsafeBytes { tryDigest(md5, $0) }
        guard let bytes else { throw .algorithmUnavailable("MD5") }
        return Data(bytes).base64EncodedString()
    }

    static func digest(_ md: OpaquePointer?, _ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        guard let bytes = tryDigest(md, buffer) else { fatalOpenSSL("EVP_Digest") }
        return bytes
    }

    private static func tryDigest(_ md: OpaquePointer?, _ buffer: UnsafeRawBufferPointer) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = withNonNullBase(buffer) { pointer, count in
            EVP_Digest(pointer, count, &output, &length, md, nil)
        }
        return ok == 1 ? Array(output.prefix(Int(length))) : nil
    }

    /// An empty Swift buffer may have a nil base address; OpenSSL wants a real pointer even for
    /// zero bytes (some 3.0.x releases reject a NULL HMAC key), so substitute a dummy byte.
    static func withNonNullBase<R>(
        _ buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer, Int) -> R
    ) -> R {
        if let base = buffer.baseAddress { return body(base, buffer.count) }
        var dummy: UInt8 = 0
        return withUnsafePointer(to: &dummy) { body(UnsafeRawPointer($0), 0) }
    }

    static func fatalOpenSSL(_ operation: String) -> Never {
        fatalError("OpenSSL \(operation) failed: libcrypto could not allocate memory or has no default provider")
    }
}

/// Failures of optional algorithms; see `Crypto.md5Base64`.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    case algorithmUnavailable(String)

    public var description: String {
        switch self {
        case .algorithmUnavailable(let name):
            return "\(name) is not available from OpenSSL (is it running in FIPS mode?); "
                + "send the request without the header that needs \(name)"
        }
    }
}

/// Incremental SHA-256 for bodies too large to hold in memory: feed chunks with `update`, then
/// `finalize`. Owns an `EVP_MD_CTX`, freed in `deinit`. Not thread-safe; use one per body.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { Crypto.fatalOpenSSL("EVP_MD_CTX_new") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { buffer in
            let ok = Crypto.withNonNullBase(buffer) { EVP_DigestUpdate(context, $0, $1) }
            if ok != 1 { Crypto.fatalOpenSSL("EVP_DigestUpdate") }
        }
    }

    /// Returns the digest of everything passed to `update` and resets, so the hasher can be
    /// reused for another body.
    public func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        if EVP_DigestFinal_ex(context, &output, &length) != 1 {
            Crypto.fatalOpenSSL("EVP_DigestFinal_ex")
        }
        reset()
        return Array(output.prefix(Int(length)))
    }

    private func reset() {
        if EVP_DigestInit_ex(context, EVP_sha256(), nil) != 1 { Crypto.fatalOpenSSL("EVP_DigestInit_ex") }
    }
}
