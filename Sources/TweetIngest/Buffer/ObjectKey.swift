import FoundationEssentials

/// Firehose's default object naming, in UTC, from the arrival time of the batch's oldest record:
/// `[prefix]YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<random>[.gz]`.
/// With Firehose prefix expressions (`S3_PREFIX`, `S3_ERROR_PREFIX`) the part before the name is
/// the evaluated expression instead.
public struct ObjectKeyLayout: Sendable, Equatable {
    public var prefix: String
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

    /// Key of a delivered data object.
    public func dataKey(arrival: Date, random: String) -> String {
        let folder = prefixExpression?.evaluate(arrival: arrival, random: random, errorOutputType: "") ?? prefix + Self.hourPath(arrival)
        return folder + objectName(arrival: arrival, random: random)
    }

    /// Key of an error object; `errorType` is Firehose's error-output-type, e.g. `processing-failed`.
    public func errorKey(arrival: Date, random: String, errorType: String = "processing-failed") -> String {
        let folder =
            errorPrefixExpression?.evaluate(arrival: arrival, random: random, errorOutputType: errorType)
            ?? errorPrefix + errorType + "/" + Self.hourPath(arrival)
        return folder + objectName(arrival: arrival, random: random)
    }

    private func objectName(arrival: Date, random: String) -> String {
        let t = UTCTime(arrival)
        let stamp = "\(pad(t.year, 4))-\(pad(t.month))-\(pad(t.day))-\(pad(t.hour))-\(pad(t.minute))-\(pad(t.second))"
        return "\(streamName)-1-\(stamp)-\(random)\(fileExtension)"
    }

    static func hourPath(_ date: Date) -> String {
        let t = UTCTime(date)
        return "\(pad(t.year, 4))/\(pad(t.month))/\(pad(t.day))/\(pad(t.hour))/"
    }
}
