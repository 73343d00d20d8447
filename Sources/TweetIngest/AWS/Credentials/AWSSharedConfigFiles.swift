import FoundationEssentials

/// `~/.aws/credentials` and `~/.aws/config` as the AWS SDKs read them: INI sections of
/// `key = value`, `#` and `;` comment lines, indented lines belonging to a sub-section (ignored).
/// In the config file a profile's section is `[profile NAME]` (`[default]` for the default one).
public struct AWSSharedConfigFiles: Sendable {
    public let credentialsPath: String
    public let configPath: String
    /// Sections of the credentials file, by profile name.
    public let credentials: [String: [String: String]]?
    /// Sections of the config file, by profile name (`profile ` removed).
    public let config: [String: [String: String]]?
    /// `[sso-session NAME]` sections of the config file, by name.
    public let ssoSessions: [String: [String: String]]?

    /// Reads both files; a missing file reads as nil. Explicit paths win over `home`'s `.aws/`.
    public init(
        credentialsFile: String?, configFile: String?, home: String?,
        readFile: @Sendable (String) -> String? = AWSSharedConfigFiles.readTextFile
    ) {
        let base = (home ?? "~") + "/.aws/"
        credentialsPath = Self.expandingTilde(credentialsFile ?? base + "credentials", home: home)
        configPath = Self.expandingTilde(configFile ?? base + "config", home: home)
        credentials = readFile(credentialsPath).map { Self.parse($0) }
        let configText = readFile(configPath)
        ssoSessions = configText.map { text in
            var sessions: [String: [String: String]] = [:]
            for (section, values) in Self.parse(text) where section.hasPrefix("sso-session ") {
                sessions[section.dropFirst("sso-session ".count).trimmingWhitespace()] = values
            }
            return sessions
        }
        config = configText.map { text in
            var profiles: [String: [String: String]] = [:]
            for (section, values) in Self.parse(text) {
                if section == "default" {
                    profiles["default", default: [:]].merge(values) { _, new in new }
                } else if section.hasPrefix("profile ") {
                    let name = section.dropFirst("profile ".count).trimmingWhitespace()
                    profiles[name, default: [:]].merge(values) { old, _ in old }
                }
            }
            return profiles
        }
    }

    /// The profile's settings, credentials file winning over config file for the same key.
    public func profile(_ name: String) -> [String: String]? {
        let fromCredentials = credentials?[name]
        let fromConfig = config?[name]
        if fromCredentials == nil, fromConfig == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
    }

    /// The `region` of a profile in the config file, as the SDKs fall back to it.
    public func region(profile name: String) -> String? {
        config?[name]?["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Section name to its `key = value` pairs (keys lowercased). Later duplicates win.
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = line[line.index(after: line.startIndex)..<close].trimmingWhitespace()
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            // An indented line continues a nested setting (`s3 =` followed by `  addressing_style = path`).
            if let first = rawLine.first, first == " " || first == "\t" { continue }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingWhitespace().lowercased()
            var value = line[line.index(after: equals)...].trimmingWhitespace()
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let range = value.firstRange(ofText: marker) { value = String(value[..<range.lowerBound]).trimmingWhitespace() }
            }
            sections[section, default: [:]][key] = value
        }
        return sections
    }

    static func expandingTilde(_ path: String, home: String?) -> String {
        guard let home, path == "~" || path.hasPrefix("~/") else { return path }
        return home + path.dropFirst()
    }

    public static let readTextFile: @Sendable (String) -> String? = { path in
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
