#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A time zone read from the system's TZif files (RFC 8536), for code that links
/// FoundationEssentials only and so has no ICU time zone data.
///
/// Instants up to the file's last transition use its table; later ones use the POSIX TZ rule in
/// the file's footer, so dates past 2037 follow the rule the zone has today. Leap-second ("right/")
/// files are refused; offsets are those of civil time in Unix seconds.
public struct ZoneInfo: Sendable, Equatable {
    public let name: String
    /// Ascending instants (Unix seconds) at which `types[transitionTypes[i]]` begins.
    let transitions: [Int64]
    let transitionTypes: [UInt8]
    /// Never empty; `types[0]` is the type before the first transition.
    let types: [LocalTimeType]
    /// The rule for instants at and after the last transition (all instants when there are none).
    let footer: PosixTimeZone?

    init(name: String, transitions: [Int64], transitionTypes: [UInt8], types: [LocalTimeType], footer: PosixTimeZone?) {
        precondition(!types.isEmpty && transitions.count == transitionTypes.count)
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    public static let utc = ZoneInfo(
        name: "UTC", transitions: [], transitionTypes: [], types: [LocalTimeType(offset: 0, isDaylight: false, abbreviation: "UTC")],
        footer: nil)

    /// The directory `load` reads when it is given none: `$TZDIR` if set and not empty, else
    /// /usr/share/zoneinfo.
    public static var defaultDirectory: String {
        if let value = getenv("TZDIR"), value.pointee != 0 { return String(cString: value) }
        return "/usr/share/zoneinfo"
    }

    /// Loads `<directory>/<name>` (default directory: `defaultDirectory`).
    /// Rejects names with "..", a leading "/", or characters outside [A-Za-z0-9_+/-]; "UTC" works
    /// without files.
    public static func load(_ name: String, directory: String? = nil) throws(ZoneInfoError) -> ZoneInfo {
        guard isValidName(name) else { throw ZoneInfoError(name: name, reason: .invalidName) }
        if name == "UTC" { return .utc }
        var root = directory ?? defaultDirectory
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        let path = root + "/" + name
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let read): bytes = read
        case .failure(let failure): throw ZoneInfoError(name: name, reason: failure.reason(directory: root, path: path))
        }
        do {
            return try TZif.parse(bytes, name: name)
        } catch {
            throw ZoneInfoError(name: name, reason: .invalidFile(path: path, detail: error.detail))
        }
    }

    /// Seconds east of UTC at that instant (Unix seconds).
    public func offset(at unixSeconds: Int64) -> Int {
        localTimeType(at: unixSeconds).offset
    }

    /// The zone's abbreviation at that instant, such as "CEST" or "+0530".
    public func abbreviation(at unixSeconds: Int64) -> String {
        localTimeType(at: unixSeconds).abbreviation
    }

    /// Whether that instant is in the zone's daylight-saving (or other non-standard) time.
    public func isDaylightSavingTime(at unixSeconds: Int64) -> Bool {
        localTimeType(at: unixSeconds).isDaylight
    }

    func localTimeType(at t: Int64) -> LocalTimeType {
        guard let first = transitions.first, let last = transitions.last else { return footer?.localTimeType(at: t) ?? types[0] }
        if t < first { return types[0] }
        if t >= last, let footer { return footer.localTimeType(at: t) }
        // The last transition at or before t: transitions[low] <= t < transitions[high].
        var low = 0
        var high = transitions.count
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if transitions[middle] <= t { low = middle } else { high = middle }
        }
        return types[Int(transitionTypes[low])]
    }

    /// The same zone without its footer rule: instants after the last transition keep the last
    /// transition's type. Only for showing that the verifier notices a wrong zone.
    func droppingFooter() -> ZoneInfo {
        ZoneInfo(name: name, transitions: transitions, transitionTypes: transitionTypes, types: types, footer: nil)
    }

    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains(".."), name.utf8.count <= 255 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    struct ReadFailure: Error {
        var code: Int32

        func reason(directory: String, path: String) -> ZoneInfoError.Reason {
            switch code {
            case ENOENT, ENOTDIR: .notFound(directory: directory)
            case EISDIR: .isDirectory(directory: directory)
            case EFBIG: .invalidFile(path: path, detail: "larger than 1 MiB, which no TZif file is")
            default: .unreadable(path: path, detail: String(cString: strerror(code)))
            }
        }
    }

    /// The whole file; TZif files are a few KiB, so anything over 1 MiB is refused.
    static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ReadFailure(code: errno)) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(code: errno))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > 1 << 20 { return .failure(ReadFailure(code: EFBIG)) }
        }
    }
}

/// One of a zone's local time types: its offset east of UTC, whether it is daylight-saving time
/// and its abbreviation.
struct LocalTimeType: Sendable, Equatable {
    var offset: Int
    var isDaylight: Bool
    var abbreviation: String
}
