import FoundationEssentials

/// Turns a profile into credentials the way the AWS SDKs do. The profile the user named prefers
/// `role_arn` over keys of its own; a profile used as `source_profile` prefers its own static
/// keys (so a profile may name itself as the source of the role it assumes). Credentials of
/// source profiles are cached while valid; the named profile's are cached by the chain.
struct ProfileResolver: Sendable {
    let files: AWSSharedConfigFiles
    let services: ProfileServices
    let provider = "shared files"

    static let unsupportedKeys = ["login_session"]
    static let credentialSources = ["Environment", "EcsContainer", "Ec2InstanceMetadata"]

    /// The kinds of profile, in the order the SDKs try them.
    enum Kind: Equatable {
        case staticKeys
        case assumeRole
        case webIdentity
        case sso
        case process

        init?(_ settings: [String: String], asSource: Bool) {
            let has = { (key: String) in settings[key].map { !$0.isEmpty } ?? false }
            let keys = has("aws_access_key_id") && has("aws_secret_access_key")
            if asSource, keys {
                self = .staticKeys
            } else if has("role_arn"), has("source_profile") || has("credential_source") {
                self = .assumeRole
            } else if has("web_identity_token_file") || has("role_arn") {
                self = has("role_arn") && !has("web_identity_token_file") ? .assumeRole : .webIdentity
            } else if has("sso_session") || has("sso_start_url") {
                self = .sso
            } else if keys {
                self = .staticKeys
            } else if has("credential_process") {
                self = .process
            } else {
                return nil
            }
        }
    }

    func fail(_ reason: String) -> AWSCredentialError {
        AWSCredentialError.providerFailed(provider: provider, reason: reason)
    }

    /// `chain` holds the profiles that led here, to report loops.
    func resolve(_ name: String, chain: [String], asSource: Bool) async throws -> ProvidedCredentials {
        let paths = "\(files.credentialsPath) or \(files.configPath)"
        guard let settings = files.profile(name) else {
            let user = chain.last.map { "source_profile = \(name) of profile \"\($0)\"" } ?? "AWS_PROFILE=\(name)"
            throw fail("\(user) names a profile that is not in \(paths)")
        }
        guard let kind = Kind(settings, asSource: asSource) else { throw noCredentials(name, settings, paths: paths) }
        let cacheKey = "profile:\(name)"
        if asSource, kind != .staticKeys,
            let cached = await services.cache.fresh(cacheKey, now: services.now(), margin: services.refreshMargin)
        {
            return cached
        }
        let found: ProvidedCredentials
        switch kind {
        case .staticKeys:
            return staticKeys(name, settings)
        case .assumeRole:
            found = try await assumeRole(name, settings, chain: chain)
        case .webIdentity:
            let webIdentity = WebIdentityCredentialProvider(
                tokenFile: settings["web_identity_token_file"].map { AWSSharedConfigFiles.expandingTilde($0, home: services.home) },
                roleARN: settings["role_arn"], sessionName: settings["role_session_name"], sts: services.sts, origin: .profile(name),
                now: services.now, readFile: services.readFile)
            guard case .found(let credentials) = try await webIdentity.lookup() else { throw noCredentials(name, settings, paths: paths) }
            found = credentials
        case .sso:
            found = try await SSOCredentials(files: files, services: services).fetch(profile: name, settings: settings)
        case .process:
            found = try await CredentialProcess(
                command: settings["credential_process"] ?? "", profile: name, runner: services.processRunner
            ).run()
        }
        if asSource { await services.cache.store(found, for: cacheKey) }
        return found
    }

    private func staticKeys(_ name: String, _ settings: [String: String]) -> ProvidedCredentials {
        let source =
            "profile \"\(name)\" in \(files.credentials?[name]?["aws_access_key_id"] != nil ? files.credentialsPath : files.configPath)"
        return ProvidedCredentials(
            credentials: AWSCredentials(
                accessKeyId: settings["aws_access_key_id"] ?? "", secretAccessKey: settings["aws_secret_access_key"] ?? "",
                sessionToken: settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }),
            source: source)
    }

    private func assumeRole(_ name: String, _ settings: [String: String], chain: [String]) async throws -> ProvidedCredentials {
        let role = settings["role_arn"] ?? ""
        if let serial = settings["mfa_serial"], !serial.isEmpty {
            throw fail(
                "profile \"\(name)\" assumes \(role) with mfa_serial: the daemon runs unattended and cannot ask for an MFA code; "
                    + "give it a profile whose role needs no MFA, or export temporary keys as AWS_* variables")
        }
        let sourceProfile = settings["source_profile"].flatMap { $0.isEmpty ? nil : $0 }
        let credentialSource = settings["credential_source"].flatMap { $0.isEmpty ? nil : $0 }
        let baseCredentials: ProvidedCredentials
        switch (sourceProfile, credentialSource) {
        case (.some, .some):
            throw fail("profile \"\(name)\" has both source_profile and credential_source; keep one")
        case (nil, nil):
            throw fail("profile \"\(name)\" has role_arn but no source_profile or credential_source to assume it with")
        case (let source?, nil):
            let path = chain + [name]
            // A profile may be its own source only through its static keys.
            let selfWithKeys = source == name && Kind(settings, asSource: true) == .staticKeys
            if path.contains(source), !selfWithKeys {
                throw fail("the source_profile chain loops: \((path + [source]).map { "\"\($0)\"" }.joined(separator: " -> "))")
            }
            baseCredentials = try await resolve(source, chain: path, asSource: true)
        case (nil, let source?):
            baseCredentials = try await credentials(from: source, profile: name)
        }
        var parameters = AssumeRoleParameters(
            roleARN: role,
            sessionName: settings["role_session_name"].flatMap { $0.isEmpty ? nil : $0 }
                ?? AssumeRoleParameters.defaultSessionName(now: services.now()),
            externalID: settings["external_id"].flatMap { $0.isEmpty ? nil : $0 })
        if let text = settings["duration_seconds"] {
            guard let seconds = Int(text.trimmingWhitespace()), (900...43200).contains(seconds) else {
                throw fail("profile \"\(name)\" has duration_seconds = \(text); it must be a whole number of seconds from 900 to 43200")
            }
            parameters.durationSeconds = seconds
        }
        return try await services.sts.assumeRole(
            parameters, credentials: baseCredentials.credentials, now: services.now, provider: provider,
            source: "role \(role) of profile \"\(name)\"")
    }

    private func credentials(from credentialSource: String, profile name: String) async throws -> ProvidedCredentials {
        let lookup: CredentialLookup
        switch credentialSource {
        case "Environment": lookup = try await services.environment.lookup()
        case "EcsContainer": lookup = try await services.container.lookup()
        case "Ec2InstanceMetadata": lookup = try await services.instanceMetadata.lookup()
        default:
            throw fail(
                "profile \"\(name)\" has credential_source = \(credentialSource); it must be one of "
                    + Self.credentialSources.joined(separator: ", "))
        }
        switch lookup {
        case .found(let credentials): return credentials
        case .unavailable(let reason):
            throw fail("profile \"\(name)\" takes its source credentials from \(credentialSource), which has none: \(reason)")
        }
    }

    private func noCredentials(_ name: String, _ settings: [String: String], paths: String) -> AWSCredentialError {
        let id = settings["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = settings["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        if (id == nil) != (secret == nil) {
            let missing = id == nil ? "aws_access_key_id" : "aws_secret_access_key"
            return fail("profile \"\(name)\" in \(paths) has no \(missing); add it or remove the other key")
        }
        if let key = Self.unsupportedKeys.first(where: { settings[$0] != nil }) {
            return fail(
                "profile \"\(name)\" uses \(key), which tweet-ingest does not support; use an SSO, assume-role or "
                    + "credential_process profile, or export temporary keys as AWS_* variables")
        }
        return fail(
            "profile \"\(name)\" in \(paths) has no credentials: no aws_access_key_id and aws_secret_access_key, role_arn, "
                + "web_identity_token_file, sso_session, sso_start_url or credential_process")
    }
}
