// Values of the enums in apache/parquet-format's parquet.thrift, written as thrift i32.

enum PhysicalType: Int32, Sendable {
    case boolean = 0
    case int64 = 2
    case byteArray = 6
}

enum ConvertedType: Int32 {
    case utf8 = 0
    case list = 3
    case timestampMillis = 9
}

enum FieldRepetitionType: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}

enum Encoding: Int32 {
    case plain = 0
    case rle = 3
    case rleDictionary = 8
}

enum CompressionCodec: Int32 {
    case uncompressed = 0
    case snappy = 1
    case gzip = 2
    case zstd = 6
}

enum PageType: Int32 {
    case dataPage = 0
    case dictionaryPage = 2
}
