import CZstd

/// zstd with one reused compression context, so a page does not allocate zstd's state anew.
/// The context lives in a workspace of its own, sized once for the level whatever the page
/// size: a context left to malloc resizes its tables as page sizes change, and each resize of a
/// table of a megabyte or more is fresh pages for the kernel to fault in.
///
/// Sendable because its one user, `PageCompressor`, copies it before use unless it holds the
/// only reference (copy on write), so no two writers ever use one context at once.
final class ZstdCompressor: @unchecked Sendable {
    private let context: OpaquePointer
    private let workspace: UnsafeMutableRawPointer
    private let level: Int32

    init(level: Int32) throws(ParquetError) {
        let size = ZSTD_estimateCCtxSize(level)
        workspace = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        guard let context = ZSTD_initStaticCCtx(workspace, size) else {
            workspace.deallocate()
            throw ParquetError("zstd could not set up a compression context (\(size) bytes)")
        }
        self.context = context
        self.level = level
    }

    deinit { workspace.deallocate() }

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
