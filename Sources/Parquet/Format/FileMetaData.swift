/// parquet.thrift `ColumnChunk` with its `ColumnMetaData`, for one column of one row group.
struct ColumnChunkMetadata {
    var type: PhysicalType
    var encodings: [Encoding]
    var path: [String]
    var codec: CompressionCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsValue

    /// Where the chunk starts: its dictionary page if it has one, else its first data page.
    var fileOffset: Int64 { dictionaryPageOffset ?? dataPageOffset }

    func write(to writer: inout CompactWriter) {
        writer.beginStructElement()
        writer.field(2, i64: fileOffset)
        writer.beginStruct(3)
        writer.field(1, i32: type.rawValue)
        writer.beginList(2, of: .i32, count: encodings.count)
        for encoding in encodings { writer.element(i32: encoding.rawValue) }
        writer.beginList(3, of: .binary, count: path.count)
        for name in path { writer.element(string: name) }
        writer.field(4, i32: codec.rawValue)
        writer.field(5, i64: numValues)
        writer.field(6, i64: totalUncompressedSize)
        writer.field(7, i64: totalCompressedSize)
        writer.field(9, i64: dataPageOffset)
        if let dictionaryPageOffset { writer.field(11, i64: dictionaryPageOffset) }
        statistics.write(12, to: &writer)
        writer.endStruct()
        writer.endStruct()
    }
}

/// parquet.thrift `RowGroup`.
struct RowGroupMetadata {
    var columns: [ColumnChunkMetadata]
    var numRows: Int64
    var ordinal: Int16

    func write(to writer: inout CompactWriter) {
        writer.beginStructElement()
        writer.beginList(1, of: .struct, count: columns.count)
        for column in columns { column.write(to: &writer) }
        writer.field(2, i64: columns.reduce(0) { $0 + $1.totalUncompressedSize })
        writer.field(3, i64: numRows)
        writer.field(5, i64: columns.first?.fileOffset ?? 4)
        writer.field(6, i64: columns.reduce(0) { $0 + $1.totalCompressedSize })
        writer.field(7, i16: ordinal)
        writer.endStruct()
    }
}

/// parquet.thrift `FileMetaData`: the footer.
struct FileMetaData {
    var schema: ParquetSchema
    var numRows: Int64
    var rowGroups: [RowGroupMetadata]
    var keyValueMetadata: [(String, String)]
    var createdBy: String

    func write(to writer: inout CompactWriter) {
        writer.beginStructElement()
        writer.field(1, i32: 2)
        let elements = SchemaElement.flatten(schema)
        writer.beginList(2, of: .struct, count: elements.count)
        for element in elements { element.write(to: &writer) }
        writer.field(3, i64: numRows)
        writer.beginList(4, of: .struct, count: rowGroups.count)
        for rowGroup in rowGroups { rowGroup.write(to: &writer) }
        if !keyValueMetadata.isEmpty {
            writer.beginList(5, of: .struct, count: keyValueMetadata.count)
            for (key, value) in keyValueMetadata {
                writer.beginStructElement()
                writer.field(1, string: key)
                writer.field(2, string: value)
                writer.endStruct()
            }
        }
        writer.field(6, string: createdBy)
        // ColumnOrder is a union; TYPE_ORDER (1) is an empty TypeDefinedOrder struct: min/max
        // are by each type's own order (signed INT64, unsigned bytewise BYTE_ARRAY).
        writer.beginList(7, of: .struct, count: schema.columns.count)
        for _ in schema.columns {
            writer.beginStructElement()
            writer.beginStruct(1)
            writer.endStruct()
            writer.endStruct()
        }
        writer.endStruct()
    }
}
