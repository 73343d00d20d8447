import CZstd

/// zstd with one reused compression context, so a page does not allocate zstd's state anew.
///
/// Sendable because its one user, `PageCompressor`, copies it before use unless it holds the
/// only reference (copy on write), so no two writers ever use one context at once.
final class ZstdCompressor: @unchecked Sendable {
    private let context: OpaquePointer
    private let level: Int32

    init(level: Int32) throws(ParquetError) {
        guard let context = ZSTD_createCCtx() else { throw ParquetError("zstd could not allocate a compression context") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// A compressor of its own, for a writer that was copied.
    func copy() throws(ParquetError) -> ZstdCompressor { try ZstdCompressor(level: level) }

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
