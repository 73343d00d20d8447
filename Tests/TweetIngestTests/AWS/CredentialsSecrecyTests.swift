import Foundation
import Testing

@testable import TweetIngest

/// Keys, session tokens, the web identity token and SSO tokens never reach a log line, an error
/// message or a credentials description, whichever provider found (or failed to find) them.
@Suite("credential secrets stay out of logs and errors")
struct CredentialsSecrecyTests {
    static let secrets = [
        "base-secret", "ASIAROLE-secret", "ASIAROLE-token", "oidc-secret-token", "sso-access-secret", "ASIAFAIL-secret",
    ]

    static func assertNoSecret(_ text: String, _ comment: Comment? = nil) {
        for secret in secrets { #expect(!text.contains(secret), comment) }
    }

    @Test("resolving, refreshing after a failure, and failing log and say nothing secret")
    func logsAndErrors() async throws {
        let home = try S3TemporaryHome(
            config: """
                [profile base]
                aws_access_key_id = AKIDBASE
                aws_secret_access_key = base-secret

                [profile deliver]
                role_arn = arn:aws:iam::1:role/deliver
                source_profile = base
                """)
        let token = try home.write("oidc-secret-token", to: "token")
        let http = ScriptedHTTPClient([
            CredentialsProfileTests.role("ASIAROLE", expires: "2026-12-03T07:10:00Z"),
            stsError(403, code: "AccessDenied", message: "not authorized"),
            stsError(403, code: "AccessDenied", message: "not authorized"),
            .ok(Array("<Credentials><SecretAccessKey>ASIAFAIL-secret</SecretAccessKey></Credentials>".utf8)),
            stsError(400, code: "InvalidIdentityToken", message: "bad token"),
        ])
        let clock = CredentialsTestClock(CredentialsProfileTests.start)
        var services = ProfileServices.offline(home: home.path)
        services.sts = STSClient(requests: try STSRequestBuilder(region: "us-east-1"), http: http, attempts: 1)
        services.now = clock.now
        let store = RecordingLogHandler.Store()
        let chain = AWSCredentialChain(
            providers: [SharedFileCredentialProvider(profile: "deliver", files: home.files(), services: services)], now: clock.now,
            logger: store.logger)
        let found = try await chain.current()
        Self.assertNoSecret(found.description)
        Self.assertNoSecret(found.checkDescription)
        Self.assertNoSecret("\(found.credentials)")
        clock.advance(by: 6 * 60)  // inside the margin: the refresh fails, the cached ones are kept (warning)
        _ = try await chain.current()
        clock.advance(by: 5 * 60)  // expired: the error
        var errors: [String] = []
        do { _ = try await chain.current() } catch { errors.append("\(error)") }
        // An answer that carries a secret but not the expected document: the reason must not quote it.
        do { _ = try await SharedFileCredentialProvider(profile: "deliver", files: home.files(), services: services).lookup() } catch {
            errors.append("\(error)")
        }
        let webIdentity = WebIdentityCredentialProvider(
            tokenFile: token, roleARN: "arn:aws:iam::1:role/pod", sessionName: nil, sts: services.sts, now: clock.now)
        do { _ = try await webIdentity.lookup() } catch { errors.append("\(error)") }
        #expect(errors.count == 3)
        #expect(store.lines.contains { $0.level == .warning })
        #expect(store.lines.contains { $0.message == "AWS credentials resolved" })
        for line in store.lines { Self.assertNoSecret(line.message + " " + line.metadata.description, "\(line.message)") }
        for error in errors { Self.assertNoSecret(error, "\(error)") }
    }
}
