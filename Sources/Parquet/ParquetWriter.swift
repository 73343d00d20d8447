/// Writes one Parquet file into memory from values appended column by column, already shredded
/// into Dremel definition and repetition levels by the caller.
///
/// Pages are encoded and compressed as they fill, so an input is not held twice uncompressed;
/// `finish()` returns the whole file ("PAR1", the row groups, the footer, "PAR1").
/// Misuse is recorded at the append and thrown by the next `endRow()` or `finish()`.
public struct ParquetWriter {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions

    public init(schema: ParquetSchema, options: ParquetWriterOptions = .init()) {
        self.schema = schema
        self.options = options
    }

    public mutating func append(column: Int, bytes: UnsafeRawBufferPointer, definition: Int, repetition: Int) {}

    public mutating func append(column: Int, bytes: ArraySlice<UInt8>, definition: Int, repetition: Int) {}

    public mutating func append(column: Int, int64: Int64, definition: Int, repetition: Int) {}

    public mutating func append(column: Int, boolean: Bool, definition: Int, repetition: Int) {}

    /// A null or empty at `definition` below the column's maximum: no value is stored.
    public mutating func appendNull(column: Int, definition: Int, repetition: Int) {}

    /// Counts the row; closes the row group when it has reached `rowGroupSizeBytes`.
    public mutating func endRow() throws(ParquetError) {}

    /// The whole file.
    public mutating func finish() throws(ParquetError) -> [UInt8] {
        throw ParquetError("not implemented yet")
    }
}
