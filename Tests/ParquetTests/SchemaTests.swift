import Parquet
import Testing

@Suite("ParquetSchema")
struct SchemaTests {
    @Test func levelsFollowOptionalAndRepeatedAncestors() {
        let schema = ParquetSchema([
            .string("id", optional: false),
            .int64("count"),
            .list("tags", element: .string("tag")),
            .list("refs", element: .group("ref", [.string("type"), .string("id", optional: false)]), optional: false),
            .group("author", [.string("name"), .boolean("verified", optional: false)]),
        ])
        #expect(
            schema.columns == [
                ParquetColumn(path: ["id"], maxDefinitionLevel: 0, maxRepetitionLevel: 0),
                ParquetColumn(path: ["count"], maxDefinitionLevel: 1, maxRepetitionLevel: 0),
                ParquetColumn(path: ["tags", "list", "element"], maxDefinitionLevel: 3, maxRepetitionLevel: 1),
                ParquetColumn(path: ["refs", "list", "element", "type"], maxDefinitionLevel: 3, maxRepetitionLevel: 1),
                ParquetColumn(path: ["refs", "list", "element", "id"], maxDefinitionLevel: 2, maxRepetitionLevel: 1),
                ParquetColumn(path: ["author", "name"], maxDefinitionLevel: 2, maxRepetitionLevel: 0),
                ParquetColumn(path: ["author", "verified"], maxDefinitionLevel: 1, maxRepetitionLevel: 0),
            ]
        )
    }
}
