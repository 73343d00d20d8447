/// parquet.thrift `PageHeader` for the two page kinds the writer produces: a data page (v1) and
/// a dictionary page.
struct PageHeader {
    enum Kind {
        /// DataPageHeader: values are `encoding`, levels are RLE.
        case data(numValues: Int32, encoding: Encoding)
        /// DictionaryPageHeader: the dictionary's entries, PLAIN.
        case dictionary(numValues: Int32)
    }

    var kind: Kind
    var uncompressedSize: Int32
    var compressedSize: Int32

    func write(to writer: inout CompactWriter) {
        writer.beginStructElement()
        switch kind {
        case .data(let numValues, let encoding):
            writer.field(1, i32: PageType.dataPage.rawValue)
            writer.field(2, i32: uncompressedSize)
            writer.field(3, i32: compressedSize)
            writer.beginStruct(5)
            writer.field(1, i32: numValues)
            writer.field(2, i32: encoding.rawValue)
            writer.field(3, i32: Encoding.rle.rawValue)
            writer.field(4, i32: Encoding.rle.rawValue)
            writer.endStruct()
        case .dictionary(let numValues):
            writer.field(1, i32: PageType.dictionaryPage.rawValue)
            writer.field(2, i32: uncompressedSize)
            writer.field(3, i32: compressedSize)
            writer.beginStruct(7)
            writer.field(1, i32: numValues)
            writer.field(2, i32: Encoding.plain.rawValue)
            writer.endStruct()
        }
        writer.endStruct()
    }
}
