import Foundation

/// Firehose's default object naming, in UTC, from the arrival time of the batch's oldest record:
/// `[prefix]YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<random>[.gz]`.
public struct ObjectKeyLayout: Sendable, Equatable {
    public var prefix: String
    public var errorPrefix: String
    public var streamName: String
    public var fileExtension: String

    public init(prefix: String = "", errorPrefix: String = "errors/", streamName: String, fileExtension: String = "") {
        self.prefix = prefix
        self.errorPrefix = errorPrefix
        self.streamName = streamName
        self.fileExtension = fileExtension
    }

    /// Key of a delivered data object.
    public func dataKey(arrival: Date, random: String) -> String {
        prefix + Self.hourPath(arrival) + objectName(arrival: arrival, random: random)
    }

    /// Key of an error object; `errorType` is Firehose's error-output-type, e.g. `processing-failed`.
    public func errorKey(arrival: Date, random: String, errorType: String = "processing-failed") -> String {
        errorPrefix + errorType + "/" + Self.hourPath(arrival) + objectName(arrival: arrival, random: random)
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
