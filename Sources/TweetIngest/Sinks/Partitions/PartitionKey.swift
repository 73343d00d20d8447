/// One key of `S3_PARTITION_KEYS` (`lang=.lang`): a name the prefix uses as
/// `!{partitionKeyFromQuery:NAME}` and the dotted path into the record whose value it takes,
/// as Firehose's dynamic partitioning does with a jq query (paths only: jq itself is out of scope).
public struct PartitionKey: Sendable, Equatable {
    public var name: String
    /// Member names from the record's top level (`.author.verified` → `author`, `verified`).
    public var path: [String]
    let pathBytes: [[UInt8]]

    public init(name: String, path: [String]) {
        self.name = name
        self.path = path
        pathBytes = path.map { Array($0.utf8) }
    }

    /// Firehose's limit on dynamic partitioning keys per stream.
    public static let maximumKeys = 50
    /// A value longer than this (UTF-8 bytes) is cut, so an evaluated prefix stays bounded.
    public static let maximumValueBytes = 128

    public var pathText: String { "." + path.joined(separator: ".") }

    /// 1 to 64 of `A-Z a-z 0-9 _`, starting with a letter or `_`.
    public static func isValidName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (1...64).contains(scalars.count), let head = scalars.first, isLetter(head) || head == "_" else { return false }
        return scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }

    /// Parses `name=.path,name=.path`; the reason names the offending part.
    public static func parseList(_ text: String) throws(PartitionKeyError) -> [PartitionKey] {
        var keys: [PartitionKey] = []
        for rawPart in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = rawPart.trimmingWhitespace()
            guard let equals = part.firstIndex(of: "=") else {
                throw PartitionKeyError(part: part, reason: "expected NAME=.path, such as lang=.lang")
            }
            let name = part[..<equals].trimmingWhitespace()
            let path = part[part.index(after: equals)...].trimmingWhitespace()
            guard isValidName(name) else {
                throw PartitionKeyError(part: part, reason: "the name is 1 to 64 of A-Z a-z 0-9 _, starting with a letter or _")
            }
            guard path.hasPrefix("."), path.count > 1 else {
                throw PartitionKeyError(part: part, reason: "the path starts with '.' and names members: .lang, .author.verified")
            }
            let members = path.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let memberOK = members.allSatisfy { member in
                !member.isEmpty
                    && member.unicodeScalars.allSatisfy {
                        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                    }
            }
            guard memberOK else {
                throw PartitionKeyError(
                    part: part, reason: "each member of the path is A-Z a-z 0-9 _ - (jq filters beyond a dotted path are not supported)")
            }
            guard !keys.contains(where: { $0.name == name }) else {
                throw PartitionKeyError(part: part, reason: "the name \(name) is defined twice")
            }
            keys.append(PartitionKey(name: name, path: members))
        }
        guard keys.count <= maximumKeys else {
            throw PartitionKeyError(part: text, reason: "at most \(maximumKeys) keys, as in Firehose")
        }
        return keys
    }

    /// A value made safe for a key: `/` and control characters become `_`, `.` and `..` too (a
    /// folder of the local sink), cut to `maximumValueBytes`; empty gives nil (the default applies).
    public static func safeValue(_ text: String) -> String? {
        var scalars = String.UnicodeScalarView()
        var bytes = 0
        for scalar in text.unicodeScalars {
            let safe: Unicode.Scalar = scalar == "/" || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "_" : scalar
            let width = String(safe).utf8.count
            if bytes + width > maximumValueBytes { break }
            bytes += width
            scalars.append(safe)
        }
        let value = String(scalars)
        if value.isEmpty { return nil }
        if value == "." || value == ".." { return String(repeating: "_", count: value.count) }
        return value
    }
}

/// An invalid `S3_PARTITION_KEYS` entry: the part and why.
public struct PartitionKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var part: String
    public var reason: String

    public var description: String { "\"\(part)\": \(reason)" }
}

/// Dynamic partitioning as configured: the keys, the value of a key a record lacks, and how many
/// key sets one flush may hold.
public struct Partitioning: Sendable, Equatable {
    public var keys: [PartitionKey]
    public var defaultValue: String
    public var maximumPartitions: Int

    public static let defaultValue = "unknown"
    /// Firehose's default active-partition limit.
    public static let defaultMaximumPartitions = 500

    public init(keys: [PartitionKey], defaultValue: String = Self.defaultValue, maximumPartitions: Int = Self.defaultMaximumPartitions) {
        self.keys = keys
        self.defaultValue = defaultValue
        self.maximumPartitions = maximumPartitions
    }

    public var isEnabled: Bool { !keys.isEmpty }
}
