/// A time zone read from the system's TZif files (RFC 8536), for code that links
/// FoundationEssentials only and so has no ICU time zone data.
public struct ZoneInfo: Sendable, Equatable {
    public let name: String
}
