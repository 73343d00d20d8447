import Foundation
import Testing

@testable import TweetIngest

/// AWS's Signature Version 4 test suite (Fixtures/aws-sig-v4-test-suite, Apache-2.0, LICENSE and
/// NOTICE beside it). All vectors sign as AKIDEXAMPLE for us-east-1/"service" at
/// 20150830T123600Z, as their `.authz` files and `X-Amz-Date` headers show.
@Suite("AWS SigV4 test suite")
struct SigV4TestSuiteTests {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    enum Check: String, Sendable {
        case canonicalRequest = ".creq"
        case stringToSign = ".sts"
        case authorization = ".authz"
        case stringToSignOfFixtureRequest = ".sts from the fixture's .creq"
        case authorizationOfFixtureStringToSign = ".authz from the fixture's .sts"
    }

    @Test("the suite copy holds every vector with its LICENSE and NOTICE")
    func suiteCopyIsComplete() throws {
        let root = try #require(SuiteFixtures.root, "Fixtures/aws-sig-v4-test-suite is not in the test bundle")
        for file in ["LICENSE", "NOTICE"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file) is missing")
        }
        let names = SuiteFixtures.vectors().map(\.name)
        #expect(names.count == 31)
        #expect(names.contains("normalize-path/get-space"))
        #expect(names.contains("post-sts-token/post-sts-header-after"))
    }

    @Test("signing a suite request reproduces its .creq, .sts and .authz", arguments: SuiteFixtures.vectors())
    func vectorMatchesEveryStage(_ vector: SuiteVector) throws {
        let request = try SuiteRequest(parsing: try vector.file("req"), vector: vector.name)
        let expected: [Check: String] = [
            .canonicalRequest: try vector.file("creq"), .stringToSign: try vector.file("sts"),
            .authorization: try vector.file("authz"),
        ]
        // post-sts-token/readme.txt: "before" signs X-Amz-Security-Token, "after" adds it to the
        // request only once the signature is computed.
        let isTokenVector = vector.id.hasPrefix("post-sts-header-")
        let signer = try SigV4Signer(
            region: "us-east-1", service: "service", signsSecurityToken: vector.id != "post-sts-header-after")
        var credentials = Self.credentials
        if isTokenVector { credentials.sessionToken = try SuiteFixtures.sessionToken() }

        let signed = try signer.sign(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            payloadHash: Crypto.hex(Crypto.sha256(request.body)), credentials: credentials, date: Self.date)

        // End to end, stage by stage.
        check(vector, .canonicalRequest, signed.canonicalRequest, expected)
        check(vector, .stringToSign, signed.stringToSign, expected)
        check(vector, .authorization, signed.authorization, expected)
        // Each later stage again from the fixture's own previous stage, so one stage's bug
        // cannot hide or mimic another's.
        let stsOfFixture = try signer.stringToSign(canonicalRequest: expected[.canonicalRequest] ?? "", date: Self.date)
        check(vector, .stringToSignOfFixtureRequest, stsOfFixture, expected, comparedTo: .stringToSign)
        let key = try signer.signingKey(secretAccessKey: credentials.secretAccessKey, date: Self.date)
        let signature = SigV4Signer.signature(signingKey: key, stringToSign: expected[.stringToSign] ?? "")
        let authzOfFixture = try signer.authorizationHeader(
            accessKeyId: credentials.accessKeyId, date: Self.date, signedHeaders: signed.signedHeaders, signature: signature)
        check(vector, .authorizationOfFixtureStringToSign, authzOfFixture, expected, comparedTo: .authorization)

        #expect(signed.headers.first { $0.0 == "x-amz-date" }?.1 == request.header("X-Amz-Date"), "\(vector.name): x-amz-date")
        if isTokenVector {
            #expect(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == credentials.sessionToken })
        }
    }

    private func check(
        _ vector: SuiteVector, _ check: Check, _ actual: String, _ expected: [Check: String],
        comparedTo file: Check? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let wanted = expected[file ?? check]
        let message: Comment = "\(vector.name): \(check.rawValue) differs\n--- expected\n\(wanted ?? "nil")\n--- actual\n\(actual)"
        #expect(actual == wanted, message, sourceLocation: sourceLocation)
    }
}
