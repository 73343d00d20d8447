import Foundation
import Testing

@testable import TweetIngest

@Suite("SSO profiles")
struct CredentialsSSOTests {
    static let start = Date(timeIntervalSince1970: 1_796_281_200)  // 2026-12-03T07:00:00Z

    static let config = """
        [profile dev]
        sso_session = my-sso
        sso_account_id = 111122223333
        sso_role_name = Deliver
        region = eu-west-1

        [sso-session my-sso]
        sso_start_url = https://example.awsapps.com/start
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access

        [profile legacy]
        sso_start_url = https://example.awsapps.com/start
        sso_region = us-west-2
        sso_account_id = 444455556666
        sso_role_name = ReadOnly

        [profile dangling]
        sso_session = gone
        sso_account_id = 1
        sso_role_name = R

        [profile partial]
        sso_start_url = https://example.awsapps.com/start
        sso_region = us-west-2
        """

    static let portalAnswer = ScriptedReply.ok(
        Array(
            #"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"sso-secret","sessionToken":"sso-session-token","expiration":1796284800000}}"#
                .utf8))

    struct Setup {
        let home: S3TemporaryHome
        let http: ScriptedHTTPClient
        let services: ProfileServices

        init(_ replies: [ScriptedReply], endpoint: S3Endpoint? = nil) throws {
            home = try S3TemporaryHome(config: CredentialsSSOTests.config)
            try FileManager.default.createDirectory(atPath: home.path + "/.aws/sso/cache", withIntermediateDirectories: true)
            http = ScriptedHTTPClient(replies)
            var services = ProfileServices.offline(home: home.path)
            services.sso = SSOPortalClient(http: http, endpoint: endpoint)
            services.now = { CredentialsSSOTests.start }
            self.services = services
        }

        func cache(_ key: String, token: String = "sso-access-token", expiresAt: String = "2026-12-03T10:00:00Z") throws {
            _ = try home.write(
                #"{"startUrl":"https://example.awsapps.com/start","region":"eu-central-1","accessToken":"\#(token)","expiresAt":"\#(expiresAt)"}"#,
                to: ".aws/sso/cache/" + SSOCredentials.cacheFileName(key))
        }

        func provider(_ profile: String) -> SharedFileCredentialProvider {
            SharedFileCredentialProvider(profile: profile, files: home.files(), services: services)
        }
    }

    @Test("the token cache file is named as botocore names it: sha1 of the session name, or of the start URL")
    func cacheFileNames() {
        // botocore.utils.SSOTokenLoader()._generate_cache_key(start_url, session_name), offline.
        #expect(SSOCredentials.cacheFileName("my-sso") == "0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        #expect(SSOCredentials.cacheFileName("https://example.awsapps.com/start") == "e8be5486177c5b5392bd9aa76563515b29358e6e.json")
        #expect(Crypto.hex(Crypto.sha1([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Crypto.hex(Crypto.sha1(Array(String(repeating: "a", count: 1000).utf8))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test("sso_session: the cached token goes to GetRoleCredentials in the session's region; the answer's ms expiry is kept")
    func ssoSession() async throws {
        let setup = try Setup([Self.portalAnswer])
        try setup.cache("my-sso")
        let found = try #require(try await setup.provider("dev").lookup().found)
        #expect(found.credentials.accessKeyId == "ASIASSO")
        #expect(found.credentials.sessionToken == "sso-session-token")
        #expect(found.expiration == Date(timeIntervalSince1970: 1_796_284_800))
        #expect(found.source == "SSO role Deliver in account 111122223333 of profile \"dev\"")
        let request = try #require(setup.http.requests.first)
        #expect(request.method == "GET")
        #expect(
            request.url == "https://portal.sso.eu-central-1.amazonaws.com/federation/credentials?role_name=Deliver&account_id=111122223333")
        #expect(request.header("x-amz-sso_bearer_token") == "sso-access-token")
    }

    @Test("legacy sso_start_url: the cache is keyed by the URL, the portal of sso_region is asked")
    func legacy() async throws {
        let setup = try Setup([Self.portalAnswer], endpoint: S3Endpoint(parsing: "http://127.0.0.1:4567"))
        try setup.cache("https://example.awsapps.com/start", expiresAt: "2026-12-03T10:00:00UTC")
        _ = try #require(try await setup.provider("legacy").lookup().found)
        #expect(setup.http.requests.first?.url == "http://127.0.0.1:4567/federation/credentials?role_name=ReadOnly&account_id=444455556666")
    }

    @Test("an expired, missing or refused token says exactly to run aws sso login, without the token")
    func expiredToken() async throws {
        let login = "run aws sso login --profile dev"
        let expired = try Setup([])
        try expired.cache("my-sso", expiresAt: "2026-12-03T06:59:59Z")
        await #expect {
            try await expired.provider("dev").lookup()
        } throws: { error in
            "\(error)".hasSuffix("the SSO token of profile \"dev\" expired at 2026-12-03T06:59:59Z: \(login)")
        }
        #expect(expired.http.requests.isEmpty)
        let missing = try Setup([])
        await #expect {
            try await missing.provider("dev").lookup()
        } throws: { "\($0)".contains("no SSO token cached for profile \"dev\"") && "\($0)".hasSuffix(login) }
        let refused = try Setup([.status(401, body: #"{"message":"Session token not found or invalid"}"#)])
        try refused.cache("my-sso", token: "revoked-token")
        await #expect {
            try await refused.provider("dev").lookup()
        } throws: { error in
            "\(error)".hasSuffix("refused the cached token (HTTP 401): \(login)") && !"\(error)".contains("revoked-token")
        }
    }

    @Test("a missing sso-session section or missing settings are errors naming them")
    func incompleteProfiles() async throws {
        let setup = try Setup([])
        await #expect {
            try await setup.provider("dangling").lookup()
        } throws: { "\($0)".contains("profile \"dangling\" has sso_session = gone but") }
        await #expect {
            try await setup.provider("partial").lookup()
        } throws: { "\($0)".contains("the SSO profile \"partial\" lacks sso_account_id, sso_role_name") }
    }
}
