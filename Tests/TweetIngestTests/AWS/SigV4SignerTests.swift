import Foundation
import Testing

@testable import TweetIngest

/// Signer behaviour the vector suites do not pin down: dates, encoding edge cases, errors.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let host = ("Host", "example.amazonaws.com")

    @Test(
        "x-amz-date is UTC yyyyMMdd'T'HHmmss'Z' with fractions dropped",
        arguments: [
            (1_440_938_160.0, "20150830T123600Z"), (1_369_353_600.999, "20130524T000000Z"),
            (951_782_400.0, "20000229T000000Z"), (-1.0, "19691231T235959Z"), (253_402_300_799.0, "99991231T235959Z"),
        ])
    func timestampFormatting(seconds: Double, expected: String) throws {
        let timestamp = try SigV4Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.dateTime == expected)
        #expect(timestamp.day == String(expected.prefix(8)))
    }

    @Test("a date beyond year 9999 is rejected instead of formatting garbage")
    func absurdDateIsRejected() {
        #expect(throws: SigV4Error.invalidDate) { try SigV4Timestamp(Date(timeIntervalSince1970: 1e13)) }
    }

    @Test("the signing key matches AWS's derivation example (20150830, us-east-1, iam)")
    func signingKeyExample() throws {
        let key = try SigV4Signer(region: "us-east-1", service: "iam").signingKey(
            secretAccessKey: Self.credentials.secretAccessKey, date: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(Crypto.hex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test("a non-S3 path that is already percent-encoded is encoded again (double encoding)")
    func nonS3PathIsDoubleEncoded() throws {
        let signer = try SigV4Signer(region: "us-east-1", service: "service")
        #expect(try signer.canonicalURI(path: "/documents%20and%20settings/") == "/documents%2520and%2520settings/")
        #expect(try signer.canonicalURI(path: "/a/b/../c/./d//") == "/a/c/d/")
        #expect(try signer.canonicalURI(path: "") == "/")
    }

    @Test("query parameters are decoded, re-encoded per RFC 3986 and sorted by name then value")
    func canonicalQueryRules() throws {
        #expect(try SigV4Signer.canonicalQuery("b=2&a=z&a=y&c") == "a=y&a=z&b=2&c=")
        #expect(try SigV4Signer.canonicalQuery("prefix=a b+c&x=%7e%2f") == "prefix=a%20b%2Bc&x=~%2F")
        #expect(try SigV4Signer.canonicalQuery("") == "")
        #expect(throws: SigV4Error.invalidPercentEncoding("bad=%zz")) { try SigV4Signer.canonicalQuery("bad=%zz") }
    }

    @Test("header values are trimmed, inner space runs collapsed and repeated names joined in order")
    func canonicalHeaderRules() throws {
        let result = try SigV4Signer.canonicalHeaders([
            ("X-B", "  two   words\t here "), ("host", "h"), ("x-b", "second"), ("X-A", ""),
        ])
        #expect(result.canonical == "host:h\nx-a:\nx-b:two words here,second\n")
        #expect(result.signedHeaders == "host;x-a;x-b")
    }

    @Test("a request without a Host header is rejected with advice")
    func missingHostIsRejected() throws {
        let signer = try SigV4Signer(region: "us-east-1", service: "s3")
        let error = #expect(throws: SigV4Error.self) {
            try signer.sign(
                method: "GET", path: "/", headers: [], payloadHash: SigV4Signer.emptyPayloadHash,
                credentials: Self.credentials, date: Date(timeIntervalSince1970: 0))
        }
        #expect(error == .missingHostHeader)
        #expect(error?.description.contains("add") == true)
    }

    @Test(
        "malformed inputs fail with the matching error",
        arguments: [
            ("GET", "/a?b=1", [host], SigV4Signer.emptyPayloadHash, SigV4Error.invalidPath("/a?b=1")),
            ("GET", "/", [host, ("Bad Name", "v")], SigV4Signer.emptyPayloadHash, .invalidHeaderName("Bad Name")),
            ("GET", "/", [host, ("x-evil", "a\r\nb: c")], SigV4Signer.emptyPayloadHash, .invalidHeaderValue(headerName: "x-evil")),
            ("GET", "/", [host], "E3B0", .invalidPayloadHash("E3B0")),
            ("G T", "/", [host], SigV4Signer.emptyPayloadHash, .invalidMethod("G T")),
        ])
    func malformedInputIsRejected(
        method: String, path: String, headers: [(String, String)], payloadHash: String, expected: SigV4Error
    ) throws {
        let signer = try SigV4Signer(region: "us-east-1", service: "service")
        #expect(throws: expected) {
            try signer.sign(
                method: method, path: path, headers: headers, payloadHash: payloadHash, credentials: Self.credentials,
                date: Date(timeIntervalSince1970: 0))
        }
    }

    @Test("an empty secret or a bad region is reported before anything is signed")
    func badConfigurationIsRejected() throws {
        #expect(throws: SigV4Error.invalidRegion("us east 1")) { try SigV4Signer(region: "us east 1", service: "s3") }
        #expect(throws: SigV4Error.invalidService("")) { try SigV4Signer(region: "us-east-1", service: "") }
        let error = #expect(throws: SigV4Error.self) {
            try SigV4Signer(region: "us-east-1", service: "s3").sign(
                method: "GET", path: "/", headers: [Self.host], payloadHash: SigV4Signer.emptyPayloadHash,
                credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: ""), date: Date())
        }
        #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test("with signsSecurityToken off the token is sent but not signed")
    func unsignedTokenMode() throws {
        let signer = try SigV4Signer(region: "us-east-1", service: "service", signsSecurityToken: false)
        let signed = try signer.sign(
            method: "POST", path: "/", headers: [Self.host], payloadHash: SigV4Signer.emptyPayloadHash,
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s", sessionToken: "tok"),
            date: Date(timeIntervalSince1970: 0))
        #expect(signed.signedHeaders == "host;x-amz-date")
        #expect(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "tok" })
    }
}
