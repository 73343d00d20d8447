import Foundation
import Testing

@testable import TweetIngest

/// Profiles that assume roles: `source_profile` chains, `credential_source`, the options, and
/// every refusal.
@Suite("assume-role profiles")
struct CredentialsProfileTests {
    static let start = Date(timeIntervalSince1970: 1_796_281_200)  // 2026-12-03T07:00:00Z

    static let config = """
        [profile base]
        aws_access_key_id = AKIDBASE
        aws_secret_access_key = base-secret

        [profile deliver]
        role_arn = arn:aws:iam::111122223333:role/deliver
        source_profile = base
        external_id = ext-1
        role_session_name = nightly
        duration_seconds = 900

        [profile hop]
        role_arn = arn:aws:iam::111122223333:role/hop
        source_profile = base

        [profile chained]
        role_arn = arn:aws:iam::444455556666:role/target
        source_profile = hop

        [profile self]
        aws_access_key_id = AKIDSELF
        aws_secret_access_key = self-secret
        role_arn = arn:aws:iam::1:role/self
        source_profile = self

        [profile loop-a]
        role_arn = arn:aws:iam::1:role/a
        source_profile = loop-b

        [profile loop-b]
        role_arn = arn:aws:iam::1:role/b
        source_profile = loop-a

        [profile mfa]
        role_arn = arn:aws:iam::1:role/admin
        source_profile = base
        mfa_serial = arn:aws:iam::1:mfa/alice

        [profile both]
        role_arn = arn:aws:iam::1:role/r
        source_profile = base
        credential_source = Environment

        [profile neither]
        role_arn = arn:aws:iam::1:role/r

        [profile from-env]
        role_arn = arn:aws:iam::1:role/env
        credential_source = Environment

        [profile from-ecs]
        role_arn = arn:aws:iam::1:role/ecs
        credential_source = EcsContainer

        [profile odd-source]
        role_arn = arn:aws:iam::1:role/r
        credential_source = Laptop

        [profile long]
        role_arn = arn:aws:iam::1:role/r
        source_profile = base
        duration_seconds = 90000

        [profile missing-source]
        role_arn = arn:aws:iam::1:role/r
        source_profile = nowhere
        """

    struct Setup {
        let home: S3TemporaryHome
        let http: ScriptedHTTPClient
        let clock: CredentialsTestClock
        let services: ProfileServices

        init(_ replies: [ScriptedReply], environment: EnvironmentCredentialProvider? = nil) throws {
            home = try S3TemporaryHome(config: CredentialsProfileTests.config)
            http = ScriptedHTTPClient(replies)
            clock = CredentialsTestClock(CredentialsProfileTests.start)
            var services = ProfileServices.offline(home: home.path)
            services.sts = STSClient(requests: try STSRequestBuilder(region: "eu-west-1"), http: http)
            services.now = clock.now
            if let environment { services.environment = environment }
            self.services = services
        }

        func provider(_ profile: String) -> SharedFileCredentialProvider {
            SharedFileCredentialProvider(profile: profile, files: home.files(), services: services)
        }
    }

    static func role(_ key: String, expires: String = "2026-12-03T08:00:00Z") -> ScriptedReply {
        stsAnswer(key: key, secret: "\(key)-secret", token: "\(key)-token", expiration: expires)
    }

    @Test("source_profile with keys: AssumeRole signed with them, external_id, role_session_name, duration_seconds sent")
    func sourceProfile() async throws {
        let setup = try Setup([Self.role("ASIADELIVER")])
        let found = try #require(try await setup.provider("deliver").lookup().found)
        #expect(found.credentials.accessKeyId == "ASIADELIVER")
        #expect(found.source == "role arn:aws:iam::111122223333:role/deliver of profile \"deliver\"")
        #expect(found.expiration == Date(timeIntervalSince1970: 1_796_284_800))
        let request = try #require(setup.http.requests.first)
        #expect(request.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDBASE/20261203/eu-west-1/sts/") == true)
        #expect(
            bodyText(request)
                == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeliver&RoleSessionName=nightly&DurationSeconds=900&ExternalId=ext-1"
        )
    }

    @Test("a chain of roles signs each hop with the previous one's credentials, and reuses the source's while valid")
    func chainedRolesReuseSource() async throws {
        let setup = try Setup([
            Self.role("ASIAHOP", expires: "2026-12-03T09:00:00Z"), Self.role("ASIATARGET", expires: "2026-12-03T07:30:00Z"),
            Self.role("ASIATARGET2", expires: "2026-12-03T08:30:00Z"), Self.role("ASIAHOP2", expires: "2026-12-03T10:00:00Z"),
            Self.role("ASIATARGET3", expires: "2026-12-03T10:00:00Z"),
        ])
        let provider = setup.provider("chained")
        let first = try #require(try await provider.lookup().found)
        #expect(first.credentials.accessKeyId == "ASIATARGET")
        #expect(setup.http.requests.count == 2)
        #expect(setup.http.requests[1].header("authorization")?.contains("Credential=ASIAHOP/") == true)
        #expect(setup.http.requests[1].header("x-amz-security-token") == "ASIAHOP-token")
        #expect(bodyText(setup.http.requests[1]).contains("RoleSessionName=tweet-ingest-1796281200"))
        // 25 minutes on, the target is refreshed; the hop (valid to 09:00) is not asked again.
        setup.clock.advance(by: 25 * 60)
        let second = try #require(try await provider.lookup().found)
        #expect(second.credentials.accessKeyId == "ASIATARGET2")
        #expect(setup.http.requests.count == 3)
        #expect(setup.http.requests[2].header("authorization")?.contains("Credential=ASIAHOP/") == true)
        // Past 08:55 the hop is within the 5-minute margin: assumed again first.
        setup.clock.advance(by: 90 * 60)
        let third = try #require(try await provider.lookup().found)
        #expect(third.credentials.accessKeyId == "ASIATARGET3")
        #expect(setup.http.requests.count == 5)
        #expect(bodyText(setup.http.requests[3]).contains("role%2Fhop"))
        #expect(setup.http.requests[4].header("authorization")?.contains("Credential=ASIAHOP2/") == true)
    }

    @Test("the chain refreshes assumed-role credentials before they expire as an injected clock passes")
    func chainRefreshesBeforeExpiry() async throws {
        let setup = try Setup([
            Self.role("ASIAONE", expires: "2026-12-03T08:00:00Z"), Self.role("ASIATWO", expires: "2026-12-03T09:00:00Z"),
        ])
        let chain = AWSCredentialChain(providers: [setup.provider("deliver")], now: setup.clock.now)
        #expect(try await chain.credentials().accessKeyId == "ASIAONE")
        setup.clock.advance(by: 54 * 60)  // 07:54, more than 5 minutes left
        #expect(try await chain.credentials().accessKeyId == "ASIAONE")
        #expect(setup.http.requests.count == 1)
        setup.clock.advance(by: 2 * 60)  // 07:56, inside the margin
        #expect(try await chain.credentials().accessKeyId == "ASIATWO")
        #expect(setup.http.requests.count == 2)
    }

    @Test("a profile may be its own source through its static keys")
    func selfSource() async throws {
        let setup = try Setup([Self.role("ASIASELF")])
        let found = try #require(try await setup.provider("self").lookup().found)
        #expect(found.credentials.accessKeyId == "ASIASELF")
        #expect(setup.http.requests[0].header("authorization")?.contains("Credential=AKIDSELF/") == true)
    }

    @Test("credential_source Environment and EcsContainer take the base credentials from there")
    func credentialSource() async throws {
        let environment = EnvironmentCredentialProvider(accessKeyID: "AKIDENV", secretAccessKey: Secret("env-secret"))
        let setup = try Setup([Self.role("ASIAENV")], environment: environment)
        _ = try #require(try await setup.provider("from-env").lookup().found)
        #expect(setup.http.requests[0].header("authorization")?.contains("Credential=AKIDENV/") == true)
        await #expect {
            try await setup.provider("from-ecs").lookup()
        } throws: { error in
            "\(error)".contains("profile \"from-ecs\" takes its source credentials from EcsContainer, which has none")
        }
    }

    @Test("every refusal says why: MFA, loops, both or neither source, unknown source, duration, missing source")
    func refusals() async throws {
        let setup = try Setup([])
        let expected: [(String, String)] = [
            (
                "mfa",
                "profile \"mfa\" assumes arn:aws:iam::1:role/admin with mfa_serial: the daemon runs unattended and cannot ask for an MFA code"
            ),
            ("loop-a", "the source_profile chain loops: \"loop-a\" -> \"loop-b\" -> \"loop-a\""),
            ("both", "profile \"both\" has both source_profile and credential_source; keep one"),
            ("neither", "profile \"neither\" has role_arn but no source_profile or credential_source to assume it with"),
            ("odd-source", "credential_source = Laptop; it must be one of Environment, EcsContainer, Ec2InstanceMetadata"),
            ("long", "duration_seconds = 90000; it must be a whole number of seconds from 900 to 43200"),
            ("missing-source", "source_profile = nowhere of profile \"missing-source\" names a profile that is not in"),
        ]
        for (profile, message) in expected {
            await #expect {
                try await setup.provider(profile).lookup()
            } throws: { error in
                "\(error)".contains(message) && !"\(error)".contains("base-secret")
            }
        }
        #expect(setup.http.requests.isEmpty)
    }

    @Test("an STS refusal is an error naming the role, without any secret")
    func stsRefusal() async throws {
        let setup = try Setup([stsError(403, code: "AccessDenied", message: "not authorized")])
        await #expect {
            try await setup.provider("deliver").lookup()
        } throws: { error in
            let text = "\(error)"
            return text.contains("STS AssumeRole arn:aws:iam::111122223333:role/deliver failed")
                && text.contains("HTTP 403 AccessDenied: not authorized") && !text.contains("base-secret")
        }
    }
}
