import Testing

@testable import Parquet

/// Misuse is recorded at the append, which stores nothing, and thrown by endRow() or finish().
@Suite("ParquetWriter misuse")
struct MisuseTests {
    private let schema = ParquetSchema([
        .string("id", optional: false),
        .int64("count"),
        .list("tags", element: .string("tag")),
    ])

    private func error(_ build: (inout ParquetWriter) throws(ParquetError) -> Void) -> String? {
        var writer = ParquetWriter(schema: schema, options: .init())
        do {
            try build(&writer)
            _ = try writer.finish()
            return nil
        } catch {
            return error.description
        }
    }

    private func rest(_ writer: inout ParquetWriter) {
        writer.appendNull(column: 1, definition: 0, repetition: 0)
        writer.appendNull(column: 2, definition: 0, repetition: 0)
    }

    @Test func aValueBelowTheMaximumDefinitionLevelIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            writer.append(column: 1, int64: 1, definition: 0, repetition: 0)
            writer.appendNull(column: 2, definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("column 1 (count): a value needs definition level 1, got 0") == true, "\(message ?? "")")
    }

    @Test func aNullAtTheMaximumDefinitionLevelIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.appendNull(column: 0, definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("column 0 (id): a null needs a definition level in 0..<0") == true, "\(message ?? "")")
    }

    @Test func aValueOfTheWrongTypeIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, int64: 5, definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("column 0 (id) is byteArray, not an int64") == true, "\(message ?? "")")
    }

    @Test func anUnknownColumnIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.appendNull(column: 3, definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("column 3 does not exist: the schema has 3 columns") == true, "\(message ?? "")")
    }

    @Test func aRepetitionLevelAboveTheMaximumIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 1)
            try writer.endRow()
        }
        #expect(message?.contains("repetition level 1 is outside 0...0") == true, "\(message ?? "")")
    }

    @Test func aRowMissingAColumnIsRefusedAtEndRow() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            writer.appendNull(column: 1, definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("column 2 (tags.list.element) has no entry in row 0") == true, "\(message ?? "")")
    }

    @Test func twoRowsWithoutEndRowAreRefused() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            writer.append(column: 0, bytes: ArraySlice("b".utf8), definition: 0, repetition: 0)
            try writer.endRow()
        }
        #expect(message?.contains("a second entry at repetition level 0 in one row") == true, "\(message ?? "")")
    }

    @Test func aRowCannotStartWithARepeatedEntry() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            writer.appendNull(column: 1, definition: 0, repetition: 0)
            writer.append(column: 2, bytes: ArraySlice("t".utf8), definition: 3, repetition: 1)
            try writer.endRow()
        }
        #expect(message?.contains("a row's first entry needs repetition level 0, got 1") == true, "\(message ?? "")")
    }

    @Test func aRepeatedEntryBelowItsListsDefinitionLevelIsRefused() {
        // tags: optional list (1), its repeated group (2), optional element (3). A second
        // entry of the list (repetition 1) cannot say the list is empty (definition 1).
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            writer.appendNull(column: 1, definition: 0, repetition: 0)
            writer.append(column: 2, bytes: ArraySlice("t".utf8), definition: 3, repetition: 0)
            writer.appendNull(column: 2, definition: 1, repetition: 1)
            try writer.endRow()
        }
        #expect(
            message?.contains("an entry at repetition level 1 needs definition level 2 or more, got 1") == true, "\(message ?? "")")
    }

    @Test func finishInsideARowIsRefused() {
        let message = error { writer throws(ParquetError) in
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
        }
        #expect(message?.contains("finish() inside a row") == true, "\(message ?? "")")
    }

    @Test func theFirstMisuseIsKeptAndTheWriterStaysFailed() throws {
        var writer = ParquetWriter(schema: schema, options: .init())
        writer.appendNull(column: 9, definition: 0, repetition: 0)
        writer.append(column: 0, int64: 1, definition: 0, repetition: 0)
        #expect(throws: ParquetError.self) { try writer.endRow() }
        do {
            _ = try writer.finish()
            Issue.record("finish() succeeded after a misuse")
        } catch {
            #expect(error.description.contains("column 9 does not exist"))
        }
    }

    @Test func aWellFormedRowIsAccepted() throws {
        var writer = ParquetWriter(schema: schema, options: .init())
        writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
        rest(&writer)
        try writer.endRow()
        let file = try writer.finish()
        #expect(Array(file.prefix(4)) == Array("PAR1".utf8))
        #expect(Array(file.suffix(4)) == Array("PAR1".utf8))
        #expect(writer.rowCount == 1)
    }

    /// A file written into memory the caller hands over is the same file, in that memory: what
    /// the buffer held before is dropped, and room reserved up front is used, not copied away.
    @Test func theFileIsWrittenIntoTheBufferGiven() throws {
        func write(into output: consuming [UInt8]) throws -> [UInt8] {
            var writer = ParquetWriter(schema: schema, options: .init(), output: consume output)
            writer.append(column: 0, bytes: ArraySlice("a".utf8), definition: 0, repetition: 0)
            rest(&writer)
            try writer.endRow()
            return try writer.finish()
        }
        let plain = try write(into: [])
        #expect(try write(into: Array("left over from an earlier file".utf8)) == plain)
        var reserved: [UInt8] = []
        reserved.reserveCapacity(1 << 16)
        let address = reserved.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        let file = try write(into: consume reserved)
        #expect(file == plain)
        #expect(file.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } == address, "the reserved room was not used")
    }
}
