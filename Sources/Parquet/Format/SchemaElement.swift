/// parquet.thrift `SchemaElement`: the schema tree flattened depth-first, the root first.
struct SchemaElement {
    enum Logical {
        case string, list
        case timestamp(isAdjustedToUTC: Bool)
    }

    var name: String
    var type: PhysicalType?
    var repetition: FieldRepetitionType?
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var logical: Logical?

    static func flatten(_ schema: ParquetSchema) -> [SchemaElement] {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.fields.count))]
        for field in schema.fields { append(field, repetition: nil, to: &elements) }
        return elements
    }

    private static func append(_ field: ParquetField, repetition: FieldRepetitionType?, to elements: inout [SchemaElement]) {
        let repetition = repetition ?? (field.optional ? .optional : .required)
        switch field.kind {
        case .primitive(let primitive):
            var element = SchemaElement(name: field.name, type: primitive.physicalType, repetition: repetition)
            switch primitive {
            case .string:
                element.convertedType = .utf8
                element.logical = .string
            case .timestampMillis:
                element.convertedType = .timestampMillis
                element.logical = .timestamp(isAdjustedToUTC: true)
            case .int64, .boolean:
                break
            }
            elements.append(element)
        case .list(let element):
            elements.append(
                SchemaElement(name: field.name, repetition: repetition, numChildren: 1, convertedType: .list, logical: .list)
            )
            elements.append(SchemaElement(name: "list", repetition: .repeated, numChildren: 1))
            append(element, repetition: nil, to: &elements)
        case .group(let children):
            elements.append(SchemaElement(name: field.name, repetition: repetition, numChildren: Int32(children.count)))
            for child in children { append(child, repetition: nil, to: &elements) }
        }
    }

    func write(to writer: inout CompactWriter) {
        writer.beginStructElement()
        if let type { writer.field(1, i32: type.rawValue) }
        if let repetition { writer.field(3, i32: repetition.rawValue) }
        writer.field(4, string: name)
        if let numChildren { writer.field(5, i32: numChildren) }
        if let convertedType { writer.field(6, i32: convertedType.rawValue) }
        if let logical {
            // LogicalType is a union: exactly one field, itself a (possibly empty) struct.
            writer.beginStruct(10)
            switch logical {
            case .string:
                writer.beginStruct(1)
                writer.endStruct()
            case .list:
                writer.beginStruct(3)
                writer.endStruct()
            case .timestamp(let isAdjustedToUTC):
                writer.beginStruct(8)
                writer.field(1, bool: isAdjustedToUTC)
                writer.beginStruct(2)  // TimeUnit union
                writer.beginStruct(1)  // MILLIS
                writer.endStruct()
                writer.endStruct()
                writer.endStruct()
            }
            writer.endStruct()
        }
        writer.endStruct()
    }
}
