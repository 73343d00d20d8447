import CZstd

/// zstd with one reused compression context, so a page does not allocate zstd's state anew.
final class ZstdCompressor {
    private let context: OpaquePointer
    private let level: Int32

    init(level: Int32) throws(ParquetError) {
        guard let context = ZSTD_createCCtx() else { throw ParquetError("zstd could not allocate a compression context") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `source` into `destination` (at least `bound(source.count)` bytes); returns the size.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ParquetError) -> Int {
        let result = ZSTD_compressCCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        if ZSTD_isError(result) != 0 {
            throw ParquetError("zstd failed: \(String(cString: ZSTD_getErrorName(result)))")
        }
        return result
    }
}
