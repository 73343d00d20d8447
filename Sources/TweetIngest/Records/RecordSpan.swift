/// Where a container value (an object or array) of a written record lies, from its opening
/// bracket to just past its closing one. The normalizer notes them as it writes when the records
/// become Parquet, so the shredder passes over an inlined referenced post or a mentioned user
/// without scanning it again. Offsets count in the bytes they were noted for: a page's records,
/// then the batch holding them. Sorted by `start`; a container's own span comes before the spans
/// inside it.
public struct RecordSpan: Sendable, Equatable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Shorter containers are not noted: scanning them costs about what a lookup does.
    static let minimumLength = 96

    func shifted(by offset: Int) -> RecordSpan { RecordSpan(start: start + offset, end: end + offset) }
}
