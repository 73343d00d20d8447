/// A misuse of the writer (a value at the wrong level, of the wrong type, for a column that does
/// not exist, a row with a column missing) or a codec failure.
public struct ParquetError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = "parquet: " + description
    }
}
