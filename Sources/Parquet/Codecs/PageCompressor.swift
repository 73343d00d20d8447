/// Compresses page bodies with the file's codec into one reused scratch buffer and appends
/// header and page to a column chunk's bytes.
struct PageCompressor {
    let compression: ParquetCompression
    private var zstd: ZstdCompressor?
    private var scratch: [UInt8] = []

    init(_ compression: ParquetCompression, zstdLevel: Int32) throws(ParquetError) {
        self.compression = compression
        self.zstd = compression == .zstd ? try ZstdCompressor(level: zstdLevel) : nil
    }

    var codec: CompressionCodec {
        switch compression {
        case .none: .uncompressed
        case .snappy: .snappy
        case .gzip: .gzip
        case .zstd: .zstd
        }
    }

    /// Appends the header `makeHeader` gives for the compressed size, then the compressed body.
    /// Returns the sizes of header and page together, compressed and uncompressed.
    mutating func appendPage(
        _ body: [UInt8], to out: inout [UInt8], header makeHeader: (_ compressedSize: Int32) -> PageHeader
    ) throws(ParquetError) -> (compressed: Int, uncompressed: Int) {
        var header = CompactWriter()
        if compression == .none {
            makeHeader(Int32(body.count)).write(to: &header)
            out.reserveCapacity(out.count + header.bytes.count + body.count)
            out.append(contentsOf: header.bytes)
            out.append(contentsOf: body)
            return (header.bytes.count + body.count, header.bytes.count + body.count)
        }
        let size = try compress(body)
        makeHeader(Int32(size)).write(to: &header)
        out.reserveCapacity(out.count + header.bytes.count + size)
        out.append(contentsOf: header.bytes)
        out.append(contentsOf: scratch[0..<size])
        return (header.bytes.count + size, header.bytes.count + body.count)
    }

    private mutating func compress(_ body: [UInt8]) throws(ParquetError) -> Int {
        let bound: Int
        switch compression {
        case .none: return body.count
        case .snappy: bound = Snappy.bound(body.count)
        case .gzip: bound = Deflate.bound(body.count)
        case .zstd: bound = ZstdCompressor.bound(body.count)
        }
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        if zstd != nil && !isKnownUniquelyReferenced(&zstd!) { zstd = try zstd!.copy() }
        let compression = self.compression
        let zstd = self.zstd
        let result = body.withUnsafeBytes { source in
            scratch.withUnsafeMutableBytes { destination in
                Result { () throws(ParquetError) -> Int in
                    switch compression {
                    case .none: return 0
                    case .snappy: return try Snappy.compress(source, into: destination)
                    case .gzip: return try Deflate.compress(source, into: destination)
                    case .zstd: return try zstd!.compress(source, into: destination)
                    }
                }
            }
        }
        return try result.get()
    }
}
