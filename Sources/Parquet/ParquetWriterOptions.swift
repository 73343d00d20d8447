/// How a `ParquetWriter` sizes pages and row groups, and what it writes into the footer.
public struct ParquetWriterOptions: Sendable {
    public var compression: ParquetCompression = .zstd
    /// A data page is closed (encoded and compressed) at about this many value bytes.
    public var pageSizeBytes = 1 << 20
    /// A row group is closed at about this many uncompressed bytes, always at the end of a row.
    public var rowGroupSizeBytes = 128 << 20
    /// The largest dictionary per column chunk; past it the rest of the chunk is PLAIN.
    public var dictionaryPageLimitBytes = 1 << 20
    /// The longest min/max statistic stored for a byte-array column; longer ones are truncated
    /// (the minimum to a prefix, the maximum to a prefix with its last character incremented).
    public var statisticsTruncateLength = 64
    /// The zstd level when `compression` is `.zstd`.
    public var zstdLevel: Int32 = 3
    public var createdBy = "tweet-ingest"
    public var keyValueMetadata: [(String, String)] = []

    public init() {}
}
