import Foundation
import Testing

@testable import TweetIngest

/// Support/aws/fake_sso_portal.py on 127.0.0.1, answering GetRoleCredentials with moto's
/// assumed-role sessions so the result can sign requests moto checks.
final class FakeSSOPortal {
    let process: ChildProcess
    let port: Int

    struct Stats: Decodable {
        var requests: Int
        var roles: [String]
    }

    init(credentials: [S3TestKeys], token: String) throws {
        let file = try Paths.temporaryDirectory("sso") + "/credentials.json"
        let list = credentials.map {
            ["AccessKeyId": $0.accessKeyID, "SecretAccessKey": $0.secretAccessKey, "SessionToken": $0.sessionToken ?? ""]
        }
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: file))
        let script = Paths.repository + "/Tests/IntegrationTests/Support/aws/fake_sso_portal.py"
        process = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", script, "--credentials", file, "--token", token, "--max-seconds", "180"],
            environment: S3Boto.baseEnvironment)
        guard process.waitForLines(timeout: 20, where: { $0.hasPrefix("LISTENING ") }),
            let line = process.lines.first(where: { $0.hasPrefix("LISTENING ") }), let port = Int(line.dropFirst("LISTENING ".count))
        else { throw HarnessError("the fake SSO portal did not start: \(process.allOutput)") }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stats() async throws -> Stats {
        let response = try await CurlHTTPClient().execute(HTTPRequest(url: baseURL + "/_fake/stats", timeoutSeconds: 5))
        return try JSONDecoder().decode(Stats.self, from: Data(response.body))
    }

    func stop() {
        guard process.process.isRunning else { return }
        process.send(SIGTERM)
        _ = process.waitForExit(timeout: 10)
    }

    deinit { stop() }
}

/// The credential chain's new providers against real peers on loopback: moto's STS (with
/// signature and IAM checks on) for AssumeRole and AssumeRoleWithWebIdentity, a fake SSO portal,
/// a `credential_process` script; each result then signs an S3 PutObject that moto verifies.
@Suite("AWS credentials from STS, SSO and credential_process on loopback", .timeLimit(.minutes(3)))
struct AWSCredentialsIntegrationTests {
    static let role = "arn:aws:iam::123456789012:role/tweet-ingest-task"
    /// Made by moto_auth.py: trusts the user tweet-ingest with ExternalId ext-1.
    static let deliverRole = "arn:aws:iam::123456789012:role/tweet-ingest-deliver"

    /// Writes `text` to `home`/.aws/config and returns settings for `profile` with STS at moto.
    static func settings(
        home: String, config: String, profile: String?, moto: S3MotoServer, extra: (inout AWSCredentialSettings) -> Void = { _ in }
    ) throws -> AWSCredentialSettings {
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try config.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        var settings = AWSCredentialSettings(
            profile: profile, home: home, ec2MetadataDisabled: true, region: "us-east-1", stsEndpoint: S3Endpoint(parsing: moto.endpoint))
        extra(&settings)
        return settings
    }

    /// Support/aws/moto_auth.py: `allow-assume-role` or `checks-on`.
    static func motoAuth(_ action: String, _ moto: S3MotoServer) throws {
        let script = Paths.repository + "/Tests/IntegrationTests/Support/aws/moto_auth.py"
        let process = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", script, action, "--endpoint", moto.endpoint],
            environment: S3Boto.baseEnvironment)
        guard process.waitForExit(timeout: 60) == 0 else { throw HarnessError("moto_auth.py \(action) failed: \(process.allOutput)") }
    }

    /// PutObject signed with whatever the chain resolves; moto checks the signature and IAM.
    static func put(_ key: String, bucket: String, chain: AWSCredentialChain, moto: S3MotoServer) async throws {
        let http = CurlHTTPClient()
        let requests = try S3RequestBuilder(bucket: bucket, region: "us-east-1", endpoint: S3Endpoint(parsing: moto.endpoint))
        let sink = S3Sink(client: S3Client(http: http, requests: requests, credentials: chain, logger: S3TestSupport.logger))
        try await sink.deliver(DeliveryObject(key: key, body: Array("{}\n".utf8), recordCount: 1))
    }

    @Test("an assume-role profile with a source_profile gets moto's role session, which signs an S3 PutObject moto accepts")
    func assumeRoleProfile() async throws {
        let moto = try await S3MotoServer(buckets: ["creds-assume"], roleSessions: 1)
        defer { moto.stop() }
        try Self.motoAuth("allow-assume-role", moto)
        let home = try Paths.temporaryDirectory("creds-home")
        let config = """
            [profile base]
            aws_access_key_id = \(moto.user.accessKeyID)
            aws_secret_access_key = \(moto.user.secretAccessKey)

            [profile deliver]
            role_arn = \(Self.deliverRole)
            source_profile = base
            role_session_name = integration
            duration_seconds = 900
            external_id = ext-1
            """
        let settings = try Self.settings(home: home, config: config, profile: "deliver", moto: moto)
        let chain = AWSCredentialChain(providers: settings.providers(http: CurlHTTPClient()), now: { Date() }, logger: S3TestSupport.logger)
        let found = try await chain.current()
        #expect(found.source == "role \(Self.deliverRole) of profile \"deliver\"")
        #expect(found.credentials.accessKeyId != moto.user.accessKeyID)
        #expect(found.credentials.sessionToken != nil)
        let expiration = try #require(found.expiration)
        #expect(abs(expiration.timeIntervalSinceNow - 900) < 120, "duration_seconds = 900 was asked for")
        try await Self.put("assumed.ndjson", bucket: "creds-assume", chain: chain, moto: moto)
        #expect(try S3Boto.keys(moto, bucket: "creds-assume") == ["assumed.ndjson"])

        // A wrong external_id is refused by the role's trust policy.
        let otherExternalID = try Self.settings(
            home: home, config: config.replacingOccurrences(of: "ext-1", with: "ext-2"), profile: "deliver", moto: moto)
        await #expect {
            try await AWSCredentialChain(providers: otherExternalID.providers(http: CurlHTTPClient()), now: { Date() }).current()
        } throws: { "\($0)".contains("HTTP 403 AccessDenied") }

        // The same profile with a wrong source secret: moto refuses the AssumeRole signature.
        let wrong = try Self.settings(
            home: home, config: config.replacingOccurrences(of: moto.user.secretAccessKey, with: "not-the-secret"), profile: "deliver",
            moto: moto)
        let refused = AWSCredentialChain(providers: wrong.providers(http: CurlHTTPClient()), now: { Date() }, logger: S3TestSupport.logger)
        await #expect {
            try await refused.current()
        } throws: { error in
            let text = "\(error)"
            return text.contains("STS AssumeRole \(Self.deliverRole) failed") && text.contains("HTTP 403")
                && !text.contains("not-the-secret")
        }
    }

    @Test("web identity from AWS_WEB_IDENTITY_TOKEN_FILE: unsigned AssumeRoleWithWebIdentity at moto, then S3 with the session")
    func webIdentity() async throws {
        // moto cannot check an unsigned call (it answers 500), so its checks go on after the STS call.
        let moto = try await S3MotoServer(buckets: ["creds-oidc"], roleSessions: 1, signatureChecks: false)
        defer { moto.stop() }
        let home = try Paths.temporaryDirectory("creds-home")
        let tokenFile = home + "/token"
        try "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let settings = try Self.settings(home: home, config: "", profile: nil, moto: moto) {
            $0.webIdentityTokenFile = tokenFile
            $0.roleARN = Self.role
            $0.roleSessionName = "ci-run-7"
        }
        let chain = AWSCredentialChain(providers: settings.providers(http: CurlHTTPClient()), now: { Date() }, logger: S3TestSupport.logger)
        let found = try await chain.current()
        #expect(found.source == "web identity role \(Self.role)")
        #expect(found.expiration != nil)
        try Self.motoAuth("checks-on", moto)
        await #expect(throws: S3Error.self, "moto checks signatures now") {
            try await Self.put(
                "unsigned.ndjson", bucket: "creds-oidc",
                chain: AWSCredentialChain(
                    providers: [
                        EnvironmentCredentialProvider(
                            accessKeyID: found.credentials.accessKeyId, secretAccessKey: Secret("wrong"),
                            sessionToken: found.credentials.sessionToken.map(Secret.init))
                    ], now: { Date() }), moto: moto)
        }
        try await Self.put("oidc.ndjson", bucket: "creds-oidc", chain: chain, moto: moto)
        #expect(try S3Boto.keys(moto, bucket: "creds-oidc") == ["oidc.ndjson"])
    }

    @Test("an SSO profile: the cached token goes to the fake portal, whose credentials sign S3 requests moto accepts")
    func ssoProfile() async throws {
        let moto = try await S3MotoServer(buckets: ["creds-sso"], roleSessions: 1)
        defer { moto.stop() }
        let portal = try FakeSSOPortal(credentials: moto.sessions, token: "cached-sso-token")
        defer { portal.stop() }
        let home = try Paths.temporaryDirectory("creds-home")
        try FileManager.default.createDirectory(atPath: home + "/.aws/sso/cache", withIntermediateDirectories: true)
        let expires = UTCTime(Date().addingTimeInterval(3600)).rfc3339Seconds
        try
            #"{"startUrl":"https://example.awsapps.com/start","region":"us-east-1","accessToken":"cached-sso-token","expiresAt":"\#(expires)"}"#
            .write(toFile: home + "/.aws/sso/cache/" + SSOCredentials.cacheFileName("corp"), atomically: true, encoding: .utf8)
        let config = """
            [profile dev]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = Deliver

            [sso-session corp]
            sso_start_url = https://example.awsapps.com/start
            sso_region = us-east-1
            """
        let settings = try Self.settings(home: home, config: config, profile: "dev", moto: moto) {
            $0.ssoEndpoint = S3Endpoint(parsing: portal.baseURL)
        }
        let chain = AWSCredentialChain(providers: settings.providers(http: CurlHTTPClient()), now: { Date() }, logger: S3TestSupport.logger)
        let found = try await chain.current()
        #expect(found.credentials.accessKeyId == moto.sessions[0].accessKeyID)
        #expect(found.source == "SSO role Deliver in account 123456789012 of profile \"dev\"")
        try await Self.put("sso.ndjson", bucket: "creds-sso", chain: chain, moto: moto)
        #expect(try S3Boto.keys(moto, bucket: "creds-sso") == ["sso.ndjson"])
        let stats = try await portal.stats()
        #expect(stats.requests == 1)
        #expect(stats.roles == ["Deliver@123456789012"])
    }

    @Test("check-config names the credential_process profile that answered and its expiry, and prints no secret")
    func checkConfigNamesProvider() async throws {
        let moto = try await S3MotoServer(buckets: ["creds-process"], roleSessions: 1)
        defer { moto.stop() }
        let session = moto.sessions[0]
        let home = try Paths.temporaryDirectory("creds-home")
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        let script = home + "/credential helper.sh"
        try """
        #!/bin/sh
        printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "2030-01-01T00:00:00Z"}' \
          "\(session.accessKeyID)" "\(session.secretAccessKey)" "\(session.sessionToken ?? "")"
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try "[profile helper]\ncredential_process = \"\(script)\" --unused-flag\n".write(
            toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        var environment = S3Boto.baseEnvironment
        environment.merge([
            "S3_BUCKET": "creds-process", "AWS_ENDPOINT_URL_S3": moto.endpoint, "AWS_REGION": "us-east-1", "AWS_PROFILE": "helper",
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": home, "TWITTER_QUERY": "from:x",
        ]) { $1 }
        let (status, run) = try TweetIngest.run(["check-config"], environment: environment, timeout: 60)
        #expect(status == 0, "\(run.allOutput)")
        #expect(
            run.lines.joined(separator: "\n").contains(
                "AWS credentials: credential_process of profile \"helper\", access key \(session.accessKeyID), until 2030-01-01T00:00:00Z"),
            "\(run.allOutput)")
        #expect(!run.allOutput.contains(session.secretAccessKey))
        #expect(!run.allOutput.contains(session.sessionToken ?? "-"))

        // The same with a profile whose role needs MFA: refused, with the reason, and a non-zero exit.
        try "[profile helper]\nrole_arn = \(Self.role)\nsource_profile = helper\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n"
            .write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        let (refusedStatus, refused) = try TweetIngest.run(["check-config"], environment: environment, timeout: 60)
        #expect(refusedStatus != 0)
        #expect(refused.lines.joined(separator: "\n").contains("cannot ask for an MFA code"), "\(refused.allOutput)")
    }
}
