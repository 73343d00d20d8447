/// Why a time zone could not be loaded; the description names the zone, says why and what to do.
public struct ZoneInfoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Not of the form Area/Location with letters, digits, `_`, `+`, `-` and `/`.
        case invalidName
        case notFound(directory: String)
        case isDirectory(directory: String)
        case unreadable(path: String, detail: String)
        /// Not a TZif file we can use (damaged, truncated, or with leap seconds).
        case invalidFile(path: String, detail: String)
    }

    public let name: String
    public let reason: Reason

    public var description: String {
        switch reason {
        case .invalidName:
            "\"\(name)\" is not a time zone name; use an IANA name such as Europe/Berlin (letters, digits, _ + - and /, no \"..\" or leading /), or UTC"
        case .notFound(let directory):
            "no such time zone \"\(name)\" in \(directory); use an IANA name such as Europe/Berlin, or UTC"
        case .isDirectory(let directory):
            "\"\(name)\" in \(directory) is a directory of zones, not a zone; name one inside it, such as \(name)/\(example(for: name))"
        case .unreadable(let path, let detail):
            "time zone \"\(name)\": cannot read \(path) (\(detail)); check the tzdata installation and its permissions"
        case .invalidFile(let path, let detail):
            "time zone \"\(name)\": \(path) is not a usable TZif file (\(detail)); reinstall tzdata or use another IANA name"
        }
    }

    private func example(for directory: String) -> String {
        switch directory {
        case "America": "New_York"
        case "Europe": "Berlin"
        case "Asia": "Tokyo"
        case "Australia": "Sydney"
        case "Africa": "Cairo"
        case "Pacific": "Auckland"
        default: "…"
        }
    }
}
