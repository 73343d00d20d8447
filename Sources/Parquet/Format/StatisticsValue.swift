/// parquet.thrift `Statistics` of a column chunk: min_value/max_value in the column's PLAIN
/// form (without a length prefix for byte arrays) and null_count.
struct StatisticsValue {
    var nullCount: Int64
    var minValue: [UInt8]?
    var maxValue: [UInt8]?
    var minIsExact = true
    var maxIsExact = true

    func write(_ id: Int16, to writer: inout CompactWriter) {
        writer.beginStruct(id)
        writer.field(3, i64: nullCount)
        if let maxValue { writer.field(5, binary: maxValue) }
        if let minValue { writer.field(6, binary: minValue) }
        if maxValue != nil { writer.field(7, bool: maxIsExact) }
        if minValue != nil { writer.field(8, bool: minIsExact) }
        writer.endStruct()
    }
}
