/// A file's schema: the top-level fields, and the columns (leaves) they flatten to.
public struct ParquetSchema: Sendable {
    public let fields: [ParquetField]
    /// The leaves in depth-first order; a column's index here is the writer's `column:`.
    public let columns: [ParquetColumn]
    let leaves: [Leaf]

    /// What the writer needs of a leaf beyond its public description.
    struct Leaf: Sendable {
        var primitive: ParquetField.Primitive
        var column: ParquetColumn
        /// For each repetition level r >= 1, the definition level of the r-th repeated
        /// ancestor: an entry continuing that level has at least this definition level.
        var repeatedDefinitions: [Int]
    }

    public init(_ fields: [ParquetField]) {
        self.fields = fields
        var leaves: [Leaf] = []
        for field in fields {
            Self.collect(field, path: [], definition: 0, repeatedDefinitions: [], into: &leaves)
        }
        self.leaves = leaves
        self.columns = leaves.map(\.column)
    }

    private static func collect(
        _ field: ParquetField, path: [String], definition: Int, repeatedDefinitions: [Int], into leaves: inout [Leaf]
    ) {
        let path = path + [field.name]
        let definition = definition + (field.optional ? 1 : 0)
        precondition(definition < 256, "Parquet: \(path.joined(separator: ".")) is nested too deeply")
        switch field.kind {
        case .primitive(let primitive):
            let column = ParquetColumn(
                path: path, maxDefinitionLevel: definition, maxRepetitionLevel: repeatedDefinitions.count)
            leaves.append(Leaf(primitive: primitive, column: column, repeatedDefinitions: repeatedDefinitions))
        case .list(let element):
            // The repeated middle group adds one level of each kind.
            collect(
                element, path: path + ["list"], definition: definition + 1,
                repeatedDefinitions: repeatedDefinitions + [definition + 1], into: &leaves)
        case .group(let children):
            for child in children {
                collect(child, path: path, definition: definition, repeatedDefinitions: repeatedDefinitions, into: &leaves)
            }
        }
    }
}

/// A leaf column: its path in the schema and the highest levels its values can carry.
public struct ParquetColumn: Sendable, Equatable {
    public var path: [String]
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int

    public init(path: [String], maxDefinitionLevel: Int, maxRepetitionLevel: Int) {
        self.path = path
        self.maxDefinitionLevel = maxDefinitionLevel
        self.maxRepetitionLevel = maxRepetitionLevel
    }
}
