import FoundationEssentials

/// An SSO profile: `sso_session` naming an `[sso-session NAME]` section, or the legacy form with
/// `sso_start_url` and `sso_region` in the profile. The token `aws sso login` cached in
/// `~/.aws/sso/cache/<sha1 of the session name or start URL>.json` is exchanged at the portal
/// for the role's credentials. The daemon never starts a login itself.
struct SSOCredentials: Sendable {
    let files: AWSSharedConfigFiles
    let services: ProfileServices
    let provider = "shared files"

    struct Settings: Equatable {
        var startURL: String
        var region: String
        var accountID: String
        var roleName: String
        /// The session name, or the start URL in the legacy form.
        var cacheKey: String
    }

    func fail(_ reason: String) -> AWSCredentialError {
        AWSCredentialError.providerFailed(provider: provider, reason: reason)
    }

    func settings(profile name: String, _ settings: [String: String]) throws -> Settings {
        let value = { (key: String, from: [String: String]) in from[key].flatMap { $0.isEmpty ? nil : $0 } }
        var startURL = value("sso_start_url", settings)
        var region = value("sso_region", settings)
        var cacheKey = startURL
        if let session = value("sso_session", settings) {
            guard let section = files.ssoSessions?[session] else {
                throw fail(
                    "profile \"\(name)\" has sso_session = \(session) but \(files.configPath) has no [sso-session \(session)] section")
            }
            for key in ["sso_start_url", "sso_region"] where value(key, settings) != nil && value(key, settings) != value(key, section) {
                throw fail("profile \"\(name)\" sets \(key) differently from its [sso-session \(session)]; remove it from the profile")
            }
            startURL = value("sso_start_url", section)
            region = value("sso_region", section)
            cacheKey = session
        }
        var missing: [String] = []
        if startURL == nil { missing.append("sso_start_url") }
        if region == nil { missing.append("sso_region") }
        if value("sso_account_id", settings) == nil { missing.append("sso_account_id") }
        if value("sso_role_name", settings) == nil { missing.append("sso_role_name") }
        guard missing.isEmpty, let startURL, let region, let cacheKey, let account = value("sso_account_id", settings),
            let role = value("sso_role_name", settings)
        else {
            throw fail(
                "the SSO profile \"\(name)\" lacks \(missing.joined(separator: ", ")); `aws configure sso --profile \(name)` writes them")
        }
        guard SigV4Signer.isScopeComponent(region) else { throw fail("profile \"\(name)\" has sso_region = \(region), not a region code") }
        return Settings(startURL: startURL, region: region, accountID: account, roleName: role, cacheKey: cacheKey)
    }

    /// `~/.aws/sso/cache/<hex sha1>.json`, as botocore names it.
    static func cacheFileName(_ key: String) -> String {
        Crypto.hex(Crypto.sha1(Array(key.utf8))) + ".json"
    }

    func fetch(profile name: String, settings profileSettings: [String: String]) async throws -> ProvidedCredentials {
        let sso = try settings(profile: name, profileSettings)
        let login = "run aws sso login --profile \(name)"
        let path = (services.home ?? "~") + "/.aws/sso/cache/" + Self.cacheFileName(sso.cacheKey)
        guard let text = services.readFile(path) else {
            throw fail("no SSO token cached for profile \"\(name)\" (\(path) does not exist): \(login)")
        }
        guard let token = try? JSONDecoder().decode(CachedToken.self, from: Data(text.utf8)), let accessToken = token.accessToken,
            !accessToken.isEmpty, let expiresText = token.expiresAt
        else {
            throw fail("the SSO token cache \(path) of profile \"\(name)\" has no accessToken and expiresAt: \(login)")
        }
        guard let expiresAt = parseRFC3339(expiresText.hasSuffix("UTC") ? expiresText.dropLast(3) + "Z" : expiresText) else {
            throw fail("the SSO token cache \(path) has expiresAt \"\(expiresText)\", not an RFC 3339 time: \(login)")
        }
        guard services.now() < expiresAt else {
            throw fail("the SSO token of profile \"\(name)\" expired at \(UTCTime(expiresAt).rfc3339Seconds): \(login)")
        }
        return try await services.sso.roleCredentials(
            sso, accessToken: accessToken, provider: provider,
            source: "SSO role \(sso.roleName) in account \(sso.accountID) of profile \"\(name)\"", login: login)
    }

    private struct CachedToken: Decodable {
        var accessToken: String?
        var expiresAt: String?
    }
}
