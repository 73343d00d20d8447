import CSnappy

/// snappy's raw block format (not the framing format), as Parquet's SNAPPY codec stores it.
enum Snappy {
    static func bound(_ count: Int) -> Int { snappy_max_compressed_length(count) }

    static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ParquetError) -> Int {
        guard let input = source.baseAddress, source.count > 0 else {
            destination[0] = 0  // the empty block: its length, 0, as a varint
            return 1
        }
        var length = destination.count
        let status = snappy_compress(
            input.assumingMemoryBound(to: CChar.self),
            source.count,
            destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            &length)
        guard status == SNAPPY_OK else { throw ParquetError("snappy failed with status \(status.rawValue)") }
        return length
    }
}
