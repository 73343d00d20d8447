import CZlib

/// gzip (RFC 1952) members, one per page, as Parquet's GZIP codec stores them.
enum Deflate {
    /// deflateBound without a stream: zlib's documented worst case plus the gzip header and trailer.
    static func bound(_ count: Int) -> Int { count + count / 1000 + (count >> 12) + (count >> 14) + (count >> 25) + 13 + 18 + 64 }

    static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ParquetError) -> Int {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, 6) == Z_OK else { throw ParquetError("zlib could not start a gzip stream") }
        defer { deflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(source.count)
        stream.next_out = destination.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(destination.count)
        let status = deflate(&stream, Z_FINISH)
        guard status == Z_STREAM_END else { throw ParquetError("zlib failed with code \(status)") }
        return destination.count - Int(stream.avail_out)
    }
}
