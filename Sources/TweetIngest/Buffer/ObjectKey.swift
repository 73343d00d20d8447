import FoundationEssentials
import ZoneInfo

/// Firehose's default object naming, from the arrival time of the batch's oldest record in the
/// key time zone (`S3_PREFIX_TIME_ZONE`, UTC by default; as in Firehose it applies to the prefix
/// and the name): `[prefix]YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<random>[.gz]`.
/// With Firehose prefix expressions (`S3_PREFIX`, `S3_ERROR_PREFIX`) the part before the name is
/// the evaluated expression instead.
public struct ObjectKeyLayout: Sendable, Equatable {
    public var prefix: String
    /// The zone key timestamps are written in.
    public var timeZone: KeyTimeZone = .utc
    /// The value a partition key takes when a record has none (`S3_PARTITION_DEFAULT`).
    public var partitionDefault = Partitioning.defaultValue
    public var errorPrefix: String
    public var streamName: String
    public var fileExtension: String
    /// When set, replaces `prefix` followed by the hour path.
    public var prefixExpression: S3Prefix?
    /// When set and not literal, replaces `errorPrefix`, error type and hour path.
    public var errorPrefixExpression: S3Prefix?

    public init(prefix: String = "", errorPrefix: String = "errors/", streamName: String, fileExtension: String = "") {
        self.prefix = prefix
        self.errorPrefix = errorPrefix
        self.streamName = streamName
        self.fileExtension = fileExtension
    }

    /// Firehose prefixes. A literal error prefix keeps this layout's form
    /// `<errorPrefix><error-output-type>/YYYY/MM/DD/HH/`; nil keeps the default `errors/`. With
    /// expressions, `prefix` and `errorPrefix` hold the literal text before the first one, which
    /// every key starts with.
    public init(prefix: S3Prefix, errorPrefix: S3Prefix?, streamName: String, fileExtension: String = "") {
        self.init(
            prefix: prefix.literalHead, errorPrefix: errorPrefix?.literalHead ?? "errors/", streamName: streamName,
            fileExtension: fileExtension)
        prefixExpression = prefix.isLiteral ? nil : prefix
        errorPrefixExpression = errorPrefix.flatMap { $0.isLiteral ? nil : $0 }
    }

    /// Key of a delivered data object; `partition` holds its records' partition key values.
    public func dataKey(arrival: Date, random: String, partition: [String: String] = [:]) -> String {
        let local = timeZone.local(arrival)
        let folder =
            prefixExpression?.evaluate(
                arrival: arrival, zone: timeZone.zone, random: random, errorOutputType: "", partitionKeys: partition,
                partitionDefault: partitionDefault)
            ?? prefix + Self.hourPath(local)
        return folder + objectName(local: local, random: random)
    }

    /// Key of an error object; `errorType` is Firehose's error-output-type, e.g. `processing-failed`.
    public func errorKey(arrival: Date, random: String, errorType: String = "processing-failed") -> String {
        let local = timeZone.local(arrival)
        let folder =
            errorPrefixExpression?.evaluate(arrival: arrival, zone: timeZone.zone, random: random, errorOutputType: errorType)
            ?? errorPrefix + errorType + "/" + Self.hourPath(local)
        return folder + objectName(local: local, random: random, fileExtension: errorFileExtension)
    }

    /// The ending of error objects: COMPRESSION's (`.gz` or none), whatever the data objects end in.
    public var errorFileExtension: String?

    private func objectName(local: Date, random: String, fileExtension: String? = nil) -> String {
        let t = UTCTime(local)
        let stamp = "\(pad(t.year, 4))-\(pad(t.month))-\(pad(t.day))-\(pad(t.hour))-\(pad(t.minute))-\(pad(t.second))"
        return "\(streamName)-1-\(stamp)-\(random)\(fileExtension ?? self.fileExtension)"
    }

    static func hourPath(_ date: Date) -> String {
        let t = UTCTime(date)
        return "\(pad(t.year, 4))/\(pad(t.month))/\(pad(t.day))/\(pad(t.hour))/"
    }
}

/// The zone S3 keys are written in (`S3_PREFIX_TIME_ZONE`).
public struct KeyTimeZone: Sendable, Equatable, CustomStringConvertible {
    public let zone: ZoneInfo

    public init(_ zone: ZoneInfo) { self.zone = zone }

    public static let utc = KeyTimeZone(.utc)

    public var name: String { zone.name }

    /// The instant whose UTC calendar fields are `date`'s local fields in this zone.
    public func local(_ date: Date) -> Date {
        date.addingTimeInterval(Double(zone.offset(at: Int64(date.timeIntervalSince1970.rounded(.down)))))
    }

    public var description: String { name }
}
