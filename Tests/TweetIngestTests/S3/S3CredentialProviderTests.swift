import Foundation
import Testing

@testable import TweetIngest

/// A temporary HOME with `.aws/` files, removed when the test ends.
final class S3TemporaryHome {
    let path: String

    init(credentials: String? = nil, config: String? = nil) throws {
        path = NSTemporaryDirectory() + "tweet-ingest-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let credentials { try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8) }
        if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func files(credentialsFile: String? = nil, configFile: String? = nil) -> AWSSharedConfigFiles {
        AWSSharedConfigFiles(credentialsFile: credentialsFile, configFile: configFile, home: path)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension CredentialLookup {
    var found: ProvidedCredentials? {
        if case .found(let credentials) = self { return credentials }
        return nil
    }

    var reason: String? {
        if case .unavailable(let reason) = self { return reason }
        return nil
    }
}

@Suite("AWS credential providers")
struct S3CredentialProviderTests {
    static let credentialsFile = """
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = secret-default ; inline comment

        [work]
        aws_access_key_id=AKIAWORK
        aws_secret_access_key=secret-work
        aws_session_token=token-work

        [half]
        aws_access_key_id = AKIAHALF
        """
    static let configFile = """
        [default]
        region = eu-west-1
        s3 =
          addressing_style = path

        [profile cfg]
        region = ap-south-1
        aws_access_key_id = AKIACFG
        aws_secret_access_key = secret-cfg

        [profile work]
        aws_access_key_id = AKIAIGNORED
        region = us-west-2

        [profile sso]
        sso_session = my-sso
        sso_account_id = 111122223333
        """

    @Test("environment: both keys, or nothing, or a clear error for half")
    func environment() async throws {
        let full = try await EnvironmentCredentialProvider(accessKeyID: "AKIAENV", secretAccessKey: Secret("s"), sessionToken: Secret("t"))
            .lookup()
        #expect(full.found?.credentials.accessKeyId == "AKIAENV")
        #expect(full.found?.credentials.sessionToken == "t")
        #expect(full.found?.expiration == nil)
        #expect(try await EnvironmentCredentialProvider(accessKeyID: nil, secretAccessKey: nil).lookup().reason != nil)
        await #expect(throws: AWSCredentialError.self) {
            try await EnvironmentCredentialProvider(accessKeyID: "AKIAENV", secretAccessKey: nil).lookup()
        }
    }

    @Test("shared files: the default profile from ~/.aws/credentials in the given HOME")
    func sharedDefaultProfile() async throws {
        let home = try S3TemporaryHome(credentials: Self.credentialsFile, config: Self.configFile)
        let found = try #require(try await SharedFileCredentialProvider(profile: nil, files: home.files()).lookup().found)
        #expect(found.credentials.accessKeyId == "AKIADEFAULT")
        #expect(found.credentials.secretAccessKey == "secret-default")
        #expect(found.credentials.sessionToken == nil)
        #expect(found.source == "profile \"default\" in \(home.path)/.aws/credentials")
        #expect(home.files().region(profile: "default") == "eu-west-1")
    }

    @Test("shared files: AWS_PROFILE picks the profile; the credentials file wins over the config file")
    func sharedNamedProfile() async throws {
        let home = try S3TemporaryHome(credentials: Self.credentialsFile, config: Self.configFile)
        let work = try #require(try await SharedFileCredentialProvider(profile: "work", files: home.files()).lookup().found)
        #expect(work.credentials.accessKeyId == "AKIAWORK")
        #expect(work.credentials.sessionToken == "token-work")
        #expect(home.files().region(profile: "work") == "us-west-2")
        let cfg = try #require(try await SharedFileCredentialProvider(profile: "cfg", files: home.files()).lookup().found)
        #expect(cfg.credentials.accessKeyId == "AKIACFG")
        #expect(cfg.source.hasSuffix("/.aws/config"))
    }

    @Test("shared files: AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE replace the default paths, ~ included")
    func sharedExplicitPaths() async throws {
        let home = try S3TemporaryHome()
        _ = try home.write("[default]\naws_access_key_id = AKIAELSEWHERE\naws_secret_access_key = s\n", to: "creds.ini")
        let files = home.files(credentialsFile: "~/creds.ini", configFile: "~/missing.ini")
        #expect(files.credentialsPath == home.path + "/creds.ini")
        let found = try await SharedFileCredentialProvider(profile: nil, files: files).lookup().found
        #expect(found?.credentials.accessKeyId == "AKIAELSEWHERE")
    }

    @Test("shared files: missing files are 'unavailable', a missing named profile is an error")
    func sharedMissing() async throws {
        let empty = try S3TemporaryHome()
        let reason = try await SharedFileCredentialProvider(profile: nil, files: empty.files()).lookup().reason
        #expect(reason?.contains("neither") == true)
        await #expect {
            try await SharedFileCredentialProvider(profile: "prod", files: empty.files()).lookup()
        } throws: { error in
            "\(error)".contains("AWS_PROFILE=prod but there is no profile \"prod\"")
        }
    }

    @Test("shared files: a profile with only one key or with an SSO session that is not there is reported, never skipped")
    func sharedBrokenProfiles() async throws {
        let home = try S3TemporaryHome(credentials: Self.credentialsFile, config: Self.configFile)
        await #expect {
            try await SharedFileCredentialProvider(profile: "half", files: home.files()).lookup()
        } throws: { error in
            "\(error)".contains("has no aws_secret_access_key")
        }
        await #expect {
            try await SharedFileCredentialProvider(profile: "sso", files: home.files()).lookup()
        } throws: { error in
            "\(error)".contains("has sso_session = my-sso but") && "\(error)".contains("has no [sso-session my-sso] section")
        }
    }

    static let document = """
        {"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"container-secret","Token":"container-token","Expiration":"2030-01-01T12:00:00Z","RoleArn":"arn:aws:iam::1:role/r"}
        """

    @Test("container: the relative URI is fetched from the ECS endpoint and the JSON parsed with its expiry")
    func containerRelative() async throws {
        let http = ScriptedS3Client([.status(200, Self.document)])
        let provider = ContainerCredentialProvider(
            relativeURI: "/v2/credentials/abc", fullURI: nil, authorizationToken: nil, authorizationTokenFile: nil, http: http)
        let found = try #require(try await provider.lookup().found)
        #expect(http.requests.map(\.url) == ["http://169.254.170.2/v2/credentials/abc"])
        #expect(http.requests[0].header("authorization") == nil)
        #expect(http.requests[0].timeoutSeconds == 2)
        #expect(found.credentials.accessKeyId == "ASIACONTAINER")
        #expect(found.credentials.sessionToken == "container-token")
        #expect(found.expiration == parseRFC3339("2030-01-01T12:00:00Z"))
    }

    @Test("container: the full URI sends the token, the token file winning over the variable")
    func containerFullURI() async throws {
        let home = try S3TemporaryHome()
        let tokenFile = try home.write("file-token\n", to: "token")
        let http = ScriptedS3Client([.status(200, Self.document), .status(200, Self.document)])
        let withFile = ContainerCredentialProvider(
            relativeURI: nil, fullURI: "http://127.0.0.1:8080/creds", authorizationToken: Secret("variable-token"),
            authorizationTokenFile: tokenFile, http: http)
        _ = try await withFile.lookup()
        let withVariable = ContainerCredentialProvider(
            relativeURI: nil, fullURI: "http://169.254.170.23/v1/credentials", authorizationToken: Secret("variable-token"),
            authorizationTokenFile: nil, http: http)
        _ = try await withVariable.lookup()
        #expect(http.requests.map { $0.header("authorization") } == ["file-token", "variable-token"])
    }

    @Test("container: plain http to a non-loopback host is refused; errors never show the secret")
    func containerRefusals() async throws {
        let http = ScriptedS3Client(fallback: { _ in .status(200, "{\"AccessKeyId\":\"A\"}") })
        await #expect {
            try await ContainerCredentialProvider(
                relativeURI: nil, fullURI: "http://evil.example.com/creds", authorizationToken: nil, authorizationTokenFile: nil, http: http
            ).lookup()
        } throws: { error in
            "\(error)".contains("only https, loopback")
        }
        #expect(http.requests.isEmpty)
        await #expect {
            try await ContainerCredentialProvider(
                relativeURI: "/x", fullURI: nil, authorizationToken: Secret("tok"), authorizationTokenFile: nil, http: http
            ).lookup()
        } throws: { error in
            "\(error)".contains("no AccessKeyId or SecretAccessKey") && !"\(error)".contains("tok")
        }
        let failing = ScriptedS3Client(fallback: { _ in .status(500, "{\"SecretAccessKey\":\"leak\"}") })
        await #expect {
            try await ContainerCredentialProvider(
                relativeURI: "/x", fullURI: nil, authorizationToken: nil, authorizationTokenFile: nil, http: failing
            ).lookup()
        } throws: { error in
            "\(error)".contains("HTTP 500") && !"\(error)".contains("leak")
        }
        #expect(failing.requests.count == 3)
    }

    @Test("container: not configured is 'unavailable'")
    func containerNotConfigured() async throws {
        let provider = ContainerCredentialProvider(
            relativeURI: nil, fullURI: nil, authorizationToken: nil, authorizationTokenFile: nil, http: ScriptedS3Client())
        #expect(try await provider.lookup().reason != nil)
    }

    @Test("instance metadata: IMDSv2 token PUT, then the role, then its credentials")
    func instanceMetadata() async throws {
        let http = ScriptedS3Client([
            .status(200, "imds-session-token"), .status(200, "tweet-ingest-role\n"),
            .status(
                200,
                "{\"Code\":\"Success\",\"LastUpdated\":\"2030-01-01T06:00:00Z\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAEC2\",\"SecretAccessKey\":\"ec2-secret\",\"Token\":\"ec2-token\",\"Expiration\":\"2030-01-01T12:00:00Z\"}"
            ),
        ])
        let provider = InstanceMetadataCredentialProvider(disabled: false, endpoint: "http://127.0.0.1:1338/", http: http)
        let found = try #require(try await provider.lookup().found)
        let requests = http.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(
            requests.map(\.url) == [
                "http://127.0.0.1:1338/latest/api/token", "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/",
                "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/tweet-ingest-role",
            ])
        #expect(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "21600")
        #expect(requests[1].header("x-aws-ec2-metadata-token") == "imds-session-token")
        #expect(requests.allSatisfy { $0.timeoutSeconds == 1 })
        #expect(found.credentials.accessKeyId == "ASIAEC2")
        #expect(found.source == "EC2 instance role tweet-ingest-role")
        #expect(found.expiration == parseRFC3339("2030-01-01T12:00:00Z"))
    }

    @Test("instance metadata: off EC2, disabled, or without a role it is 'unavailable' after one quick try")
    func instanceMetadataUnavailable() async throws {
        let unreachable = ScriptedS3Client([.timeout])
        let reason = try await InstanceMetadataCredentialProvider(disabled: false, endpoint: nil, http: unreachable).lookup().reason
        #expect(reason?.contains("no instance metadata service answered at http://169.254.169.254") == true)
        #expect(unreachable.requests.count == 1)
        let disabled = ScriptedS3Client()
        #expect(try await InstanceMetadataCredentialProvider(disabled: true, endpoint: nil, http: disabled).lookup().reason != nil)
        #expect(disabled.requests.isEmpty)
        let noRole = ScriptedS3Client([.status(200, "tok"), .status(404)])
        let noRoleReason = try await InstanceMetadataCredentialProvider(disabled: false, endpoint: nil, http: noRole).lookup().reason
        #expect(noRoleReason?.contains("no IAM role") == true)
    }
}
