import Foundation
import Testing

@testable import TweetIngest

/// S3's rules on top of SigV4, checked against the worked examples in the S3 API reference,
/// "Signature Calculations for the Authorization Header: Transferring Payload in a Single
/// Chunk": AKIAIOSFODNN7EXAMPLE, us-east-1, 20130524T000000Z, virtual-hosted examplebucket.
@Suite("S3 request signing")
struct S3SigningTests {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let host = ("Host", "examplebucket.s3.amazonaws.com")

    struct DocExample: Sendable, CustomStringConvertible {
        let description: String
        let method: String
        let path: String
        let query: String
        let headers: [(String, String)]
        let body: String
        let canonicalRequest: String
        let stringToSignHash: String
        let signedHeaders: String
        let signature: String
    }

    static let docExamples: [DocExample] = [
        DocExample(
            description: "GET Object with Range", method: "GET", path: "/test.txt", query: "",
            headers: [host, ("Range", "bytes=0-9")], body: "",
            canonicalRequest: """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSignHash: "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        DocExample(
            description: "PUT Object test$file.text", method: "PUT", path: "/test$file.text", query: "",
            headers: [
                host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            body: "Welcome to Amazon S3.",
            canonicalRequest: """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """,
            stringToSignHash: "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        DocExample(
            description: "GET Bucket lifecycle", method: "GET", path: "/", query: "lifecycle", headers: [host], body: "",
            canonicalRequest: """
                GET
                /
                lifecycle=
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSignHash: "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        DocExample(
            description: "GET Bucket (list objects) max-keys=2&prefix=J", method: "GET", path: "/",
            query: "max-keys=2&prefix=J", headers: [host], body: "",
            canonicalRequest: """
                GET
                /
                max-keys=2&prefix=J
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSignHash: "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]

    static func s3Signer() throws -> SigV4Signer { try SigV4Signer(region: "us-east-1", service: "s3") }

    @Test("the S3 documentation's single-chunk examples sign to the published values", arguments: docExamples)
    func documentationExample(_ example: DocExample) throws {
        let signed = try Self.s3Signer().sign(
            method: example.method, path: example.path, query: example.query, headers: example.headers,
            payloadHash: Crypto.hex(Crypto.sha256(example.body)), credentials: Self.credentials, date: Self.date)
        #expect(signed.canonicalRequest == example.canonicalRequest)
        #expect(
            signed.stringToSign
                == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\(example.stringToSignHash)")
        #expect(signed.signature == example.signature)
        // The S3 pages print the header without spaces after the commas; both forms are accepted
        // and the signed bytes are identical. The space form is the general SigV4 one.
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=\(example.signedHeaders), Signature=\(example.signature)")
        #expect(signed.headers.last.map { $0.0 } == "authorization")
    }

    @Test("an S3 key with space, '+', '=', unicode and '/' is encoded once per segment, raw or pre-encoded")
    func keyWithSpecialCharactersIsEncodedOnce() throws {
        let signer = try Self.s3Signer()
        let key = "tweets/2024/a b+c=d ü✓.json"
        let expected = "/tweets/2024/a%20b%2Bc%3Dd%20%C3%BC%E2%9C%93.json"
        #expect(try signer.canonicalURI(path: "/" + key) == expected)
        #expect(try signer.canonicalURI(path: expected) == expected, "an encoded path must not be encoded twice")
        #expect("/" + AWSURIEncoding.encode(key, encodeSlash: false) == expected, "the wire path equals the canonical URI")
        let signed = try signer.sign(
            method: "PUT", path: "/" + key, headers: [Self.host], payloadHash: SigV4Signer.emptyPayloadHash,
            credentials: Self.credentials, date: Self.date)
        #expect(signed.canonicalRequest.hasPrefix("PUT\n\(expected)\n\n"))
    }

    @Test("an S3 path keeps '//' and dot segments because they are part of the key")
    func s3PathIsNotNormalized() throws {
        let signer = try Self.s3Signer()
        #expect(try signer.canonicalURI(path: "/my-object//example//photo.user") == "/my-object//example//photo.user")
        #expect(try signer.canonicalURI(path: "/a/./b/../c") == "/a/./b/../c")
    }

    @Test("a literal '%' in an S3 key that is not encoded as %25 is rejected with advice")
    func strayPercentIsRejected() throws {
        let error = #expect(throws: SigV4Error.self) {
            try Self.s3Signer().canonicalURI(path: "/100% done.txt")
        }
        #expect(error?.description.contains("%25") == true)
        #expect(try Self.s3Signer().canonicalURI(path: "/100%25 done.txt") == "/100%25%20done.txt")
    }

    @Test("a session token is sent as x-amz-security-token and is among the signed headers")
    func sessionTokenIsSigned() throws {
        var credentials = Self.credentials
        credentials.sessionToken = "FwoGZXIvYXdzEXAMPLE//token+="
        let signed = try Self.s3Signer().sign(
            method: "PUT", path: "/k", headers: [Self.host], payloadHash: SigV4Signer.emptyPayloadHash,
            credentials: credentials, date: Self.date)
        #expect(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "FwoGZXIvYXdzEXAMPLE//token+=" })
        #expect(signed.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        #expect(signed.canonicalRequest.contains("\nx-amz-security-token:FwoGZXIvYXdzEXAMPLE//token+=\n"))
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(!signed.description.contains("token+="))
    }

    @Test("UNSIGNED-PAYLOAD is carried in x-amz-content-sha256 and ends the canonical request")
    func unsignedPayloadIsPassedThrough() throws {
        let signed = try Self.s3Signer().sign(
            method: "PUT", path: "/big.gz", headers: [Self.host], payloadHash: SigV4Signer.unsignedPayload,
            credentials: Self.credentials, date: Self.date)
        #expect(signed.headers.contains { $0.0 == "x-amz-content-sha256" && $0.1 == "UNSIGNED-PAYLOAD" })
        #expect(signed.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test("credentials print without their secret or session token")
    func credentialsAreRedacted() {
        let credentials = AWSCredentials(
            accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            sessionToken: "SESSIONTOKENVALUE")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [
            credentials.description, credentials.debugDescription, String(describing: credentials),
            String(reflecting: credentials), "\(credentials)", dumped,
            String(describing: Mirror(reflecting: credentials).children.map(\.value)),
        ] {
            #expect(!text.contains("wJalrXUtnFEMI"), "secret leaked in: \(text)")
            #expect(!text.contains("SESSIONTOKENVALUE"), "token leaked in: \(text)")
            #expect(text.contains("AKIAIOSFODNN7EXAMPLE") || !text.contains("accessKeyId"))
        }
    }

    @Test("re-signing a signed request replaces the previous date, hash and signature instead of duplicating them")
    func resigningReplacesSignerHeaders() throws {
        let signer = try Self.s3Signer()
        let first = try signer.sign(
            method: "GET", path: "/test.txt", headers: [Self.host, ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, credentials: Self.credentials, date: Self.date.addingTimeInterval(-60))
        let second = try signer.sign(
            method: "GET", path: "/test.txt", headers: first.headers, payloadHash: SigV4Signer.emptyPayloadHash,
            credentials: Self.credentials, date: Self.date)
        #expect(second.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(second.headers.filter { $0.0 == "x-amz-date" }.count == 1)
        #expect(second.headers.filter { $0.0 == "authorization" }.count == 1)
    }
}
