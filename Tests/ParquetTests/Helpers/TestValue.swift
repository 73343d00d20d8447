import Foundation

@testable import Parquet

/// A value of a test row, shaped like the schema: shredded into the writer's appends and
/// written as the expected JSON that read_parquet.py compares both readers against.
indirect enum TestValue: Equatable {
    case null
    case string(String)
    case int(Int64)
    case bool(Bool)
    /// Milliseconds since the epoch.
    case timestamp(Int64)
    case list([TestValue])
    case record([TestValue])

    var json: Any {
        switch self {
        case .null: NSNull()
        case .string(let text): text
        case .int(let number), .timestamp(let number): NSNumber(value: number)
        case .bool(let flag): NSNumber(value: flag)
        case .list(let elements): elements.map(\.json)
        case .record: preconditionFailure("a record needs its field names: use json(field:)")
        }
    }

    func json(_ field: ParquetField) -> Any {
        switch (self, field.kind) {
        case (.list(let elements), .list(let element)): return elements.map { $0.json(element) }
        case (.record(let values), .group(let children)):
            return Dictionary(uniqueKeysWithValues: zip(children, values).map { ($0.name, $1.json($0)) })
        default: return json
        }
    }
}

/// Dremel shredding of rows of `TestValue`s into a `ParquetWriter`, written independently of
/// the writer's own level bookkeeping: a value at the maximum definition level, otherwise a
/// null at the level of the deepest defined ancestor.
struct Shredder {
    let fields: [ParquetField]

    func write(_ row: [TestValue], to writer: inout ParquetWriter) throws(ParquetError) {
        var column = 0
        for (field, value) in zip(fields, row) {
            shred(field, value, definition: 0, repetition: 0, repetitionDepth: 0, column: &column, writer: &writer)
        }
        try writer.endRow()
    }

    private func shred(
        _ field: ParquetField, _ value: TestValue, definition: Int, repetition: Int, repetitionDepth: Int,
        column: inout Int, writer: inout ParquetWriter
    ) {
        if value == .null {
            precondition(field.optional, "\(field.name) is required")
            for leaf in column..<(column + Self.leafCount(field)) {
                writer.appendNull(column: leaf, definition: definition, repetition: repetition)
            }
            column += Self.leafCount(field)
            return
        }
        let defined = definition + (field.optional ? 1 : 0)
        switch (field.kind, value) {
        case (.primitive, .string(let text)):
            writer.append(column: column, bytes: ArraySlice(text.utf8), definition: defined, repetition: repetition)
            column += 1
        case (.primitive, .int(let number)), (.primitive, .timestamp(let number)):
            writer.append(column: column, int64: number, definition: defined, repetition: repetition)
            column += 1
        case (.primitive, .bool(let flag)):
            writer.append(column: column, boolean: flag, definition: defined, repetition: repetition)
            column += 1
        case (.group(let children), .record(let values)):
            for (child, childValue) in zip(children, values) {
                shred(
                    child, childValue, definition: defined, repetition: repetition, repetitionDepth: repetitionDepth,
                    column: &column, writer: &writer)
            }
        case (.list(let element), .list(let elements)):
            let first = column
            if elements.isEmpty {
                for leaf in column..<(column + Self.leafCount(element)) {
                    writer.appendNull(column: leaf, definition: defined, repetition: repetition)
                }
                column += Self.leafCount(element)
                return
            }
            for (index, elementValue) in elements.enumerated() {
                column = first
                shred(
                    element, elementValue, definition: defined + 1,
                    repetition: index == 0 ? repetition : repetitionDepth + 1, repetitionDepth: repetitionDepth + 1,
                    column: &column, writer: &writer)
            }
        default:
            preconditionFailure("\(value) does not fit \(field.name)")
        }
    }

    static func leafCount(_ field: ParquetField) -> Int {
        switch field.kind {
        case .primitive: 1
        case .list(let element): leafCount(element)
        case .group(let children): children.reduce(0) { $0 + leafCount($1) }
        }
    }

    /// The schema as read_parquet.py describes it.
    static func describe(_ field: ParquetField) -> [String: Any] {
        var description: [String: Any] = ["name": field.name, "optional": field.optional]
        switch field.kind {
        case .primitive(.string): description["type"] = "string"
        case .primitive(.int64): description["type"] = "int64"
        case .primitive(.boolean): description["type"] = "boolean"
        case .primitive(.timestampMillis): description["type"] = "timestamp"
        case .list(let element):
            description["type"] = "list"
            description["element"] = describe(element)
        case .group(let children):
            description["type"] = "struct"
            description["fields"] = children.map(describe)
        }
        return description
    }
}
