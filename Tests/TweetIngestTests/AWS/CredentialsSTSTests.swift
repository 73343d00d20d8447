import Foundation
import Testing

@testable import TweetIngest

/// A `now` tests move by hand.
final class CredentialsTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: @Sendable () -> Date { { [self] in lock.withLock { current } } }
    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// STS's documented AssumeRole answer (AWS STS API reference, "Examples"), with our values.
func stsAnswer(action: String = "AssumeRole", key: String, secret: String, token: String, expiration: String) -> ScriptedReply {
    .ok(
        Array(
            """
            <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <\(action)Result>
                <Credentials>
                  <SessionToken>\(token)</SessionToken>
                  <SecretAccessKey>\(secret)</SecretAccessKey>
                  <Expiration>\(expiration)</Expiration>
                  <AccessKeyId>\(key)</AccessKeyId>
                </Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/deliver/s</Arn></AssumedRoleUser>
              </\(action)Result>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </\(action)Response>
            """.utf8))
}

func stsError(_ status: Int, code: String, message: String) -> ScriptedReply {
    .status(
        status,
        body: """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
              <RequestId>req-1</RequestId>
            </ErrorResponse>
            """)
}

func bodyText(_ request: HTTPRequest) -> String { String(decoding: request.body ?? [], as: UTF8.self) }

@Suite("STS requests and answers")
struct CredentialsSTSTests {
    static let role = AssumeRoleParameters(
        roleARN: "arn:aws:iam::111122223333:role/deliver", sessionName: "nightly", durationSeconds: 900, externalID: "ext-1")
    static let date = Date(timeIntervalSince1970: 1_796_281_200)  // 2026-12-03T07:00:00Z

    @Test("AssumeRole is a signed POST of the Query form to the regional endpoint, signature equal to botocore's")
    func assumeRoleRequest() throws {
        let builder = try STSRequestBuilder(region: "eu-west-1")
        let request = try builder.assumeRole(
            Self.role, credentials: AWSCredentials(accessKeyId: "AKIDBASE", secretAccessKey: "base-secret", sessionToken: "base-token"),
            date: Self.date)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(
            bodyText(request)
                == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeliver&RoleSessionName=nightly&DurationSeconds=900&ExternalId=ext-1"
        )
        #expect(request.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.header("x-amz-security-token") == "base-token")
        // botocore's SigV4Auth over the same request and time (computed offline with botocore 1.x).
        #expect(
            request.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDBASE/20261203/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=91c1379a463822797d056235f3425d9d930f2e270c38caa426b791f02923fe15"
        )
    }

    @Test("AssumeRoleWithWebIdentity is not signed; AWS_ENDPOINT_URL_STS replaces the endpoint; China is .com.cn")
    func webIdentityRequestAndEndpoints() throws {
        let builder = try STSRequestBuilder(region: "us-east-1", endpoint: S3Endpoint(parsing: "http://127.0.0.1:5000"))
        let request = builder.assumeRoleWithWebIdentity(
            AssumeRoleParameters(roleARN: "arn:aws:iam::1:role/r", sessionName: "s"), webIdentityToken: "eyJ.token")
        #expect(request.url == "http://127.0.0.1:5000/")
        #expect(request.header("authorization") == nil)
        #expect(
            bodyText(request)
                == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&WebIdentityToken=eyJ.token"
        )
        #expect(STSRequestBuilder.awsEndpoint(region: "cn-north-1").host == "sts.cn-north-1.amazonaws.com.cn")
        #expect(try STSRequestBuilder(region: "ap-southeast-2").url == "https://sts.ap-southeast-2.amazonaws.com/")
    }

    @Test("the answer's credentials and expiry are parsed; errors name the code, never the body's secrets")
    func answers() async throws {
        let http = ScriptedHTTPClient([
            stsAnswer(key: "ASIAROLE", secret: "role-secret", token: "role-token", expiration: "2026-12-03T08:00:00Z"),
            stsError(403, code: "AccessDenied", message: "User is not authorized to perform: sts:AssumeRole"),
            .ok(Array("<html>role-secret</html>".utf8)),
        ])
        let client = STSClient(requests: try STSRequestBuilder(region: "eu-west-1"), http: http)
        let base = AWSCredentials(accessKeyId: "AKIDBASE", secretAccessKey: "base-secret")
        let found = try await client.assumeRole(Self.role, credentials: base, now: { Self.date }, provider: "shared files", source: "x")
        #expect(found.credentials.accessKeyId == "ASIAROLE")
        #expect(found.credentials.secretAccessKey == "role-secret")
        #expect(found.credentials.sessionToken == "role-token")
        #expect(found.expiration == Date(timeIntervalSince1970: 1_796_284_800))
        await #expect {
            try await client.assumeRole(Self.role, credentials: base, now: { Self.date }, provider: "shared files", source: "x")
        } throws: { error in
            "\(error)"
                == "AWS credentials from shared files are not usable: STS AssumeRole arn:aws:iam::111122223333:role/deliver failed: "
                + "https://sts.eu-west-1.amazonaws.com/ answered HTTP 403 AccessDenied: User is not authorized to perform: sts:AssumeRole (request id req-1)"
        }
        await #expect {
            try await client.assumeRole(Self.role, credentials: base, now: { Self.date }, provider: "shared files", source: "x")
        } throws: { error in
            "\(error)".contains("has no Credentials") && !"\(error)".contains("role-secret") && !"\(error)".contains("base-secret")
        }
        #expect(http.requests.count == 3)
    }

    @Test("throttling, 5xx and dropped connections are tried three times in all")
    func retries() async throws {
        let http = ScriptedHTTPClient([
            .dropped(), stsError(400, code: "Throttling", message: "Rate exceeded"),
            stsAnswer(key: "ASIA3", secret: "s", token: "t", expiration: "2026-12-03T08:00:00Z"),
        ])
        let client = STSClient(requests: try STSRequestBuilder(region: "eu-west-1"), http: http)
        let found = try await client.assumeRoleWithWebIdentity(Self.role, webIdentityToken: "tok", provider: "web identity", source: "x")
        #expect(found.credentials.accessKeyId == "ASIA3")
        #expect(http.requests.count == 3)
    }
}

@Suite("web identity credentials")
struct CredentialsWebIdentityTests {
    @Test("the token file is read again at each lookup, so a rotated token is sent")
    func rereadsTokenFile() async throws {
        let home = try S3TemporaryHome()
        let file = try home.write("first-token\n", to: "token")
        let http = ScriptedHTTPClient([
            stsAnswer(action: "AssumeRoleWithWebIdentity", key: "ASIA1", secret: "s1", token: "t1", expiration: "2026-12-03T08:00:00Z"),
            stsAnswer(action: "AssumeRoleWithWebIdentity", key: "ASIA2", secret: "s2", token: "t2", expiration: "2026-12-03T09:00:00Z"),
        ])
        let provider = WebIdentityCredentialProvider(
            tokenFile: file, roleARN: "arn:aws:iam::1:role/pod", sessionName: "pod-1",
            sts: STSClient(requests: try STSRequestBuilder(region: "us-east-1"), http: http))
        let first = try #require(try await provider.lookup().found)
        _ = try home.write("second-token\n", to: "token")
        let second = try #require(try await provider.lookup().found)
        #expect(first.credentials.accessKeyId == "ASIA1")
        #expect(second.credentials.accessKeyId == "ASIA2")
        #expect(first.source == "web identity role arn:aws:iam::1:role/pod")
        #expect(bodyText(http.requests[0]).hasSuffix("RoleSessionName=pod-1&WebIdentityToken=first-token"))
        #expect(bodyText(http.requests[1]).hasSuffix("WebIdentityToken=second-token"))
    }

    @Test("not configured is 'unavailable'; half configured, unreadable or refused is an error without the token")
    func refusals() async throws {
        let sts = STSClient(
            requests: try STSRequestBuilder(region: "us-east-1"),
            http: ScriptedHTTPClient([stsError(400, code: "InvalidIdentityToken", message: "Token is expired")]))
        #expect(try await WebIdentityCredentialProvider(tokenFile: nil, roleARN: nil, sessionName: nil, sts: sts).lookup().reason != nil)
        await #expect {
            try await WebIdentityCredentialProvider(tokenFile: "/t", roleARN: nil, sessionName: nil, sts: sts).lookup()
        } throws: { "\($0)".contains("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not") }
        await #expect {
            try await WebIdentityCredentialProvider(
                tokenFile: "/nonexistent/token", roleARN: "arn:aws:iam::1:role/r", sessionName: nil, sts: sts
            )
            .lookup()
        } throws: { "\($0)".contains("AWS_WEB_IDENTITY_TOKEN_FILE=/nonexistent/token cannot be read") }
        let home = try S3TemporaryHome()
        let file = try home.write("secret-oidc-token", to: "token")
        await #expect {
            try await WebIdentityCredentialProvider(tokenFile: file, roleARN: "arn:aws:iam::1:role/r", sessionName: nil, sts: sts).lookup()
        } throws: { error in
            "\(error)".contains("InvalidIdentityToken: Token is expired") && !"\(error)".contains("secret-oidc-token")
        }
    }
}
