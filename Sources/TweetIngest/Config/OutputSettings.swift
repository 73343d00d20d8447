import FoundationEssentials
import ZoneInfo

/// The variables that shape objects: their ending, dynamic partitioning and the key time zone.
extension EnvironmentReader {
    /// `FILE_EXTENSION`, Firehose's rule: `.` then `0-9 a-z ! - _ . * ' ( )`, at most 128.
    mutating func fileExtension(_ variable: EnvironmentVariable) -> String? {
        guard let raw = string(variable) else { return nil }
        let value = raw.trimmingWhitespace()
        let allowed = value.dropFirst().unicodeScalars.allSatisfy {
            ("0"..."9").contains($0) || ("a"..."z").contains($0) || "!-_.*'()".unicodeScalars.contains($0)
        }
        guard value.hasPrefix("."), value.count >= 2, value.count <= 128, allowed else {
            fail(
                variable, raw,
                "must be '.' followed by 0-9 a-z ! - _ . * ' ( ), at most 128 characters, as Firehose's FileExtension (unset: .gz, .parquet or none)"
            )
            return nil
        }
        return value
    }

    /// `S3_PARTITION_KEYS`, `S3_PARTITION_DEFAULT`, `S3_MAX_PARTITIONS`, checked against the
    /// prefix: every key the prefix uses is defined and every defined key is used (so two key sets
    /// never share a folder).
    mutating func partitioning(prefix: S3Prefix?) -> Partitioning {
        var keys: [PartitionKey] = []
        if let raw = string(.s3PartitionKeys) {
            do {
                keys = try PartitionKey.parseList(raw)
            } catch {
                fail(
                    .s3PartitionKeys, raw,
                    "\(error). Write NAME=.path pairs separated by commas, such as lang=.lang,verified=.author.verified")
            }
        }
        let used = prefix?.partitionKeyNames ?? []
        let defined = Set(keys.map(\.name))
        for name in used
        where !defined.contains(name) && problems.allSatisfy({ $0.variable != EnvironmentVariable.s3PartitionKeys.rawValue }) {
            fail(
                .s3Prefix, prefix?.text,
                "!{partitionKeyFromQuery:\(name)} names a key S3_PARTITION_KEYS does not define; add \(name)=.<path> to S3_PARTITION_KEYS")
        }
        for key in keys where !used.contains(key.name) {
            fail(
                .s3PartitionKeys, string(.s3PartitionKeys),
                "the key \(key.name) is not used in S3_PREFIX; add !{partitionKeyFromQuery:\(key.name)} to S3_PREFIX or drop the key")
        }
        var defaultValue = Partitioning.defaultValue
        if let raw = string(.s3PartitionDefault) {
            if let safe = PartitionKey.safeValue(raw.trimmingWhitespace()), safe == raw.trimmingWhitespace() {
                defaultValue = safe
            } else {
                fail(
                    .s3PartitionDefault, raw,
                    "must be 1 to \(PartitionKey.maximumValueBytes) bytes without '/' or control characters, and not . or .. (default unknown)"
                )
            }
        }
        let maximum = integer(.s3MaxPartitions, default: Partitioning.defaultMaximumPartitions, range: 1...5000)
        return Partitioning(keys: keys, defaultValue: defaultValue, maximumPartitions: maximum)
    }

    /// `S3_PREFIX_TIME_ZONE`: an IANA name read from the system's zone files (`TZDIR`, else
    /// /usr/share/zoneinfo); UTC needs none.
    mutating func keyTimeZone(_ variable: EnvironmentVariable, zoneDirectory: String?) -> KeyTimeZone {
        guard let raw = string(variable) else { return .utc }
        let name = raw.trimmingWhitespace()
        if name == "UTC" { return .utc }
        do {
            return KeyTimeZone(try ZoneInfo.load(name, directory: zoneDirectory ?? "/usr/share/zoneinfo"))
        } catch {
            fail(variable, raw, "\(error)")
            return .utc
        }
    }
}
