/// A node of a Parquet schema tree: a primitive leaf, a standard three-level LIST, or a group
/// (a struct). Build one with the static constructors; the writer derives the columns (leaves)
/// and their definition and repetition levels from the tree.
public struct ParquetField: Sendable {
    /// The leaf types the writer stores, each with the physical type and annotations it implies.
    enum Primitive: Sendable {
        case string, int64, boolean, timestampMillis

        var physicalType: PhysicalType {
            switch self {
            case .string: .byteArray
            case .int64, .timestampMillis: .int64
            case .boolean: .boolean
            }
        }
    }

    indirect enum Kind: Sendable {
        case primitive(Primitive)
        case list(element: ParquetField)
        case group([ParquetField])
    }

    public let name: String
    public let optional: Bool
    let kind: Kind

    init(name: String, optional: Bool, kind: Kind) {
        self.name = name
        self.optional = optional
        self.kind = kind
    }

    /// BYTE_ARRAY annotated STRING (converted type UTF8).
    public static func string(_ name: String, optional: Bool = true) -> ParquetField {
        ParquetField(name: name, optional: optional, kind: .primitive(.string))
    }

    public static func int64(_ name: String, optional: Bool = true) -> ParquetField {
        ParquetField(name: name, optional: optional, kind: .primitive(.int64))
    }

    public static func boolean(_ name: String, optional: Bool = true) -> ParquetField {
        ParquetField(name: name, optional: optional, kind: .primitive(.boolean))
    }

    /// INT64 milliseconds since the epoch, annotated TIMESTAMP(isAdjustedToUTC = true, MILLIS)
    /// and converted type TIMESTAMP_MILLIS for older readers.
    public static func timestampMillis(_ name: String, optional: Bool = true) -> ParquetField {
        ParquetField(name: name, optional: optional, kind: .primitive(.timestampMillis))
    }

    /// The standard three-level LIST: `<optional|required> group name (LIST) { repeated group
    /// list { element } }`. The element is always named "element", whatever name it was given.
    public static func list(_ name: String, element: ParquetField, optional: Bool = true) -> ParquetField {
        let renamed = ParquetField(name: "element", optional: element.optional, kind: element.kind)
        return ParquetField(name: name, optional: optional, kind: .list(element: renamed))
    }

    /// A struct of `fields`.
    public static func group(_ name: String, _ fields: [ParquetField], optional: Bool = true) -> ParquetField {
        precondition(!fields.isEmpty, "Parquet: group \(name) needs at least one field")
        return ParquetField(name: name, optional: optional, kind: .group(fields))
    }
}
