import Foundation
import Testing

@testable import TweetIngest

/// Known-answer tests for the libcrypto wrappers (FIPS 180-2 examples, RFC 4231, RFC 1321).
@Suite("Crypto")
struct CryptoTests {
    @Test("SHA-256 of the empty string and \"abc\" match FIPS 180-2")
    func sha256KnownAnswers() {
        #expect(Crypto.hex(Crypto.sha256("")) == SigV4Signer.emptyPayloadHash)
        #expect(Crypto.hex(Crypto.sha256([UInt8]())) == SigV4Signer.emptyPayloadHash)
        #expect(Crypto.hex(Crypto.sha256(Data("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("HMAC-SHA256 matches RFC 4231 cases 2 and 6, including a key longer than the block")
    func hmacKnownAnswers() {
        #expect(
            Crypto.hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), data: "what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Crypto.hex(
                Crypto.hmacSHA256(
                    key: [UInt8](repeating: 0xAA, count: 131), data: "Test Using Larger Than Block-Size Key - Hash Key First"))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Crypto.hmacSHA256(key: [UInt8](), data: [UInt8]()).count == Crypto.sha256Length)
    }

    @Test("hashing a body in uneven chunks gives the one-shot digest, and the hasher is reusable")
    func incrementalHasherMatchesOneShot() {
        let body = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256Hasher()
        var offset = 0
        for size in [0, 1, 63, 64, 65, 4096, 100_000] where offset < body.count {
            let end = min(body.count, offset + size)
            hasher.update(body[offset..<end].withUnsafeBytes { Data($0) })
            offset = end
        }
        hasher.update(Array(body[offset...]))
        #expect(hasher.finalize() == Crypto.sha256(body))
        #expect(Crypto.hex(hasher.finalize()) == SigV4Signer.emptyPayloadHash)
    }

    @Test("Content-MD5 is the base64 MD5 digest")
    func md5Base64KnownAnswer() throws {
        #expect(try Crypto.md5Base64([UInt8]()) == "1B2M2Y8AsgTpgAmY7PhCfg==")
        #expect(try Crypto.md5Base64(Data("abc".utf8)) == "kAFQmDzST7DWlj99KOF/cg==")
    }
}
