/// Writes one Parquet file into memory from values appended column by column, already shredded
/// into Dremel definition and repetition levels by the caller.
///
/// Pages are encoded and compressed as they fill, so an input is not held twice uncompressed;
/// `finish()` returns the whole file ("PAR1", the row groups, the footer, "PAR1"). Misuse (a
/// value at the wrong level or of the wrong type, an unknown column, a row missing a column)
/// is recorded at the append, which stores nothing, and thrown by the next `endRow()` or
/// `finish()`; the writer is unusable after it.
///
/// A row of schema `[.string("id", optional: false), .list("tags", element: .string("tag"))]`
/// with tags `["a", nil]`, then one whose tags are `[]`, then one without tags:
///
///     writer.append(column: 0, bytes: id, definition: 0, repetition: 0)
///     writer.append(column: 1, bytes: a, definition: 3, repetition: 0)  // list, entry, element
///     writer.appendNull(column: 1, definition: 2, repetition: 1)        // a null element
///     try writer.endRow()
///     writer.append(column: 0, bytes: id2, definition: 0, repetition: 0)
///     writer.appendNull(column: 1, definition: 1, repetition: 0)        // an empty list
///     try writer.endRow()
///     writer.append(column: 0, bytes: id3, definition: 0, repetition: 0)
///     writer.appendNull(column: 1, definition: 0, repetition: 0)        // no list
///     try writer.endRow()
public struct ParquetWriter: Sendable {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions

    private var columns: [ColumnChunkWriter]
    /// What `accept` checks, apart from the column writers so that checking copies nothing.
    private let shapes: [(type: PhysicalType, maxDefinition: Int, maxRepetition: Int, repeatedDefinitions: Int)]
    /// Every column's `Leaf.repeatedDefinitions`, one after another; `shapes` says where each starts.
    private let repeatedDefinitions: [Int]
    private var compressor: PageCompressor
    private var output: [UInt8]
    private static let magic: [UInt8] = Array("PAR1".utf8)
    private var rowGroups: [RowGroupMetadata] = []
    private var rowsInGroup = 0
    private var totalRows = 0
    /// Uncompressed bytes appended to the current row group, by which it is closed.
    private var groupBytes = 0
    /// Which columns have had their first (repetition 0) entry of the current row.
    private var started: [Bool]
    private var failure: ParquetError?
    private var finished = false
    /// Data pages written so far, over all columns and row groups (for tests).
    private(set) var dataPageCount = 0

    /// `output`: memory to write the file into (emptied first, its capacity kept), so a caller
    /// can hand over room it reserved, or the buffer of a file already delivered.
    public init(schema: ParquetSchema, options: ParquetWriterOptions = .init(), output: consuming [UInt8] = []) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: Self.magic)
        self.output = consume output
        self.schema = schema
        self.options = options
        columns = schema.leaves.map(ColumnChunkWriter.init)
        var starts: [Int] = []
        var flat: [Int] = []
        for leaf in schema.leaves {
            starts.append(flat.count)
            flat += leaf.repeatedDefinitions
        }
        shapes = zip(schema.leaves, starts).map {
            ($0.primitive.physicalType, $0.column.maxDefinitionLevel, $0.column.maxRepetitionLevel, $1)
        }
        repeatedDefinitions = flat
        started = Array(repeating: false, count: schema.leaves.count)
        do {
            compressor = try PageCompressor(options.compression, zstdLevel: options.zstdLevel)
        } catch {
            failure = error
            compressor = try! PageCompressor(.none, zstdLevel: 0)
        }
    }

    /// The number of rows ended so far.
    public var rowCount: Int { totalRows }

    // MARK: Appending

    public mutating func append(column: Int, bytes: UnsafeRawBufferPointer, definition: Int, repetition: Int) {
        guard accept(column, .byteArray, "a byte array", definition: definition, repetition: repetition) else { return }
        columns[column].append(bytes, repetition: repetition, dictionaryLimit: options.dictionaryPageLimitBytes)
        groupBytes += bytes.count + 4
    }

    public mutating func append(column: Int, bytes: ArraySlice<UInt8>, definition: Int, repetition: Int) {
        bytes.withUnsafeBytes { append(column: column, bytes: $0, definition: definition, repetition: repetition) }
    }

    public mutating func append(column: Int, int64: Int64, definition: Int, repetition: Int) {
        guard accept(column, .int64, "an int64", definition: definition, repetition: repetition) else { return }
        columns[column].append(int64, repetition: repetition)
        groupBytes += 8
    }

    public mutating func append(column: Int, boolean: Bool, definition: Int, repetition: Int) {
        guard accept(column, .boolean, "a boolean", definition: definition, repetition: repetition) else { return }
        columns[column].append(boolean, repetition: repetition)
        groupBytes += 1
    }

    /// A null or empty at `definition` below the column's maximum: no value is stored.
    public mutating func appendNull(column: Int, definition: Int, repetition: Int) {
        guard accept(column, nil, "a null", definition: definition, repetition: repetition) else { return }
        columns[column].appendNull(definition: definition, repetition: repetition)
        groupBytes += 1
    }

    /// Checks an entry against the column and the row, and closes a full page at a row start.
    @inline(__always)
    private mutating func accept(
        _ column: Int, _ type: PhysicalType?, _ what: String, definition: Int, repetition: Int
    ) -> Bool {
        guard failure == nil, !finished else { return false }
        guard shapes.indices.contains(column) else {
            failure = ParquetError("column \(column) does not exist: the schema has \(columns.count) columns")
            return false
        }
        let chunk = shapes[column]
        var name: String { schema.columns[column].path.joined(separator: ".") }
        if let type {
            guard type == chunk.type else {
                failure = ParquetError("column \(column) (\(name)) is \(chunk.type), not \(what)")
                return false
            }
            guard definition == chunk.maxDefinition else {
                failure = ParquetError(
                    "column \(column) (\(name)): a value needs definition level \(chunk.maxDefinition), got \(definition); use appendNull below it"
                )
                return false
            }
        } else {
            guard definition >= 0 && definition < chunk.maxDefinition else {
                failure = ParquetError(
                    "column \(column) (\(name)): a null needs a definition level in 0..<\(chunk.maxDefinition), got \(definition)")
                return false
            }
        }
        guard repetition >= 0 && repetition <= chunk.maxRepetition else {
            failure = ParquetError(
                "column \(column) (\(name)): repetition level \(repetition) is outside 0...\(chunk.maxRepetition)")
            return false
        }
        if repetition == 0 {
            guard !started[column] else {
                failure = ParquetError(
                    "column \(column) (\(name)): a second entry at repetition level 0 in one row; call endRow() between rows")
                return false
            }
            started[column] = true
            if columns[column].pageBytes >= options.pageSizeBytes {
                do throws(ParquetError) {
                    try columns[column].closePage(&compressor)
                } catch {
                    failure = error
                    return false
                }
            }
        } else {
            guard started[column] else {
                failure = ParquetError("column \(column) (\(name)): a row's first entry needs repetition level 0, got \(repetition)")
                return false
            }
            // Continuing the r-th repeated level means that level's node is present.
            let least = repeatedDefinitions[chunk.repeatedDefinitions + repetition - 1]
            guard definition >= least else {
                failure = ParquetError(
                    "column \(column) (\(name)): an entry at repetition level \(repetition) needs definition level \(least) or more, got \(definition)"
                )
                return false
            }
        }
        return true
    }

    // MARK: Rows and the file

    /// Counts the row; closes the row group when it has reached `rowGroupSizeBytes`.
    public mutating func endRow() throws(ParquetError) {
        if let failure { throw failure }
        guard !finished else { throw ParquetError("endRow() after finish()") }
        if let missing = started.firstIndex(of: false) {
            let error = ParquetError(
                "column \(missing) (\(columns[missing].path.joined(separator: "."))) has no entry in row \(totalRows); every column needs one per row (appendNull for a null)"
            )
            failure = error
            throw error
        }
        for index in started.indices { started[index] = false }
        rowsInGroup += 1
        totalRows += 1
        if groupBytes >= options.rowGroupSizeBytes {
            try closeRowGroup()
        }
    }

    /// The whole file. A row begun but not ended is an error.
    public mutating func finish() throws(ParquetError) -> [UInt8] {
        if let failure { throw failure }
        guard !finished else { throw ParquetError("finish() called twice") }
        if started.contains(true) {
            let error = ParquetError("finish() inside a row: call endRow() after the row's last value")
            failure = error
            throw error
        }
        if rowsInGroup > 0 { try closeRowGroup() }
        finished = true
        let footer = FileMetaData(
            schema: schema, numRows: Int64(totalRows), rowGroups: rowGroups, keyValueMetadata: options.keyValueMetadata,
            createdBy: options.createdBy)
        var writer = CompactWriter()
        footer.write(to: &writer)
        output.append(contentsOf: writer.bytes)
        let length = UInt32(writer.bytes.count)
        withUnsafeBytes(of: length.littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: Self.magic)
        let file = output
        output = []
        return file
    }

    private mutating func closeRowGroup() throws(ParquetError) {
        var chunks: [ColumnChunkMetadata] = []
        chunks.reserveCapacity(columns.count)
        // One growth of the file per row group: each chunk's pages are freed as they are
        // copied in, so the row group is never held twice (doubling would copy it again).
        let needed = output.count + columns.reduce(0) { $0 + $1.closingBytesBound }
        if needed > output.capacity { output.reserveCapacity(max(needed, output.capacity * 3 / 2)) }
        do throws(ParquetError) {
            for index in columns.indices {
                let closed = try columns[index].closeChunk(
                    &compressor, base: output.count, truncateLength: options.statisticsTruncateLength)
                if let page = closed.dictionaryPage { output.append(contentsOf: page) }
                for page in closed.dataPages { output.append(contentsOf: page) }
                chunks.append(closed.metadata)
                dataPageCount += closed.pageCount
            }
        } catch {
            failure = error
            throw error
        }
        rowGroups.append(
            RowGroupMetadata(columns: chunks, numRows: Int64(rowsInGroup), ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rowsInGroup = 0
        groupBytes = 0
    }
}
