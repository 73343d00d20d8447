/// The codec every page of a file is compressed with.
public enum ParquetCompression: String, Sendable, CaseIterable {
    case none, snappy, gzip, zstd
}
