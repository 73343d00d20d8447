#if canImport(Glibc)
    import CMalloc
#endif

/// glibc malloc settings for a daemon that holds one large buffer and is otherwise small:
/// - at most 2 arenas (glibc's default is 8 per core, each keeping its own free pages);
/// - allocations of 4 MiB and more (an object buffer: 5 MiB by default) are always their own
///   mapping, returned to the system when freed. glibc's default raises this threshold to the
///   size of the last freed block (up to 32 MiB) and keeps up to twice that free at the top of
///   the heap. Below 4 MiB (a page, a read chunk) the heap is reused: with a 1 MiB threshold a
///   replay paged in ~100 MiB more over and over.
/// - up to 64 MiB free at the top of a heap is kept for the next allocations instead of handed
///   back at each `free` (glibc's default, 128 KiB): the Parquet writer's pages and the
///   normalizer's working memory are freed after every object or page and were paged in again
///   each time (a 200 MB Parquet replay: ~22-28k page faults, ~17k with this);
/// - before each sleep, freed memory is handed back (`malloc_trim`), so an idle daemon keeps none of it.
/// Anyone who sets glibc's own knobs (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`,
/// `MALLOC_TRIM_THRESHOLD_`, `GLIBC_TUNABLES`) keeps them.
public enum AllocatorTuning {
    public static let arenaMax: Int32 = 2
    public static let mmapThresholdBytes: Int32 = 4 << 20
    public static let trimThresholdBytes: Int32 = 64 << 20

    /// The settings applied (logged at debug level at start-up).
    @discardableResult
    public static func apply(environment: [String: String]) -> [String: String] {
        var applied: [String: String] = [:]
        #if canImport(Glibc)
            guard environment["GLIBC_TUNABLES"] == nil else { return applied }
            if environment["MALLOC_ARENA_MAX"] == nil, mallopt(M_ARENA_MAX, arenaMax) == 1 {
                applied["malloc.arena_max"] = "\(arenaMax)"
            }
            if environment["MALLOC_MMAP_THRESHOLD_"] == nil, mallopt(M_MMAP_THRESHOLD, mmapThresholdBytes) == 1 {
                applied["malloc.mmap_threshold_bytes"] = "\(mmapThresholdBytes)"
            }
            if environment["MALLOC_TRIM_THRESHOLD_"] == nil, mallopt(M_TRIM_THRESHOLD, trimThresholdBytes) == 1 {
                applied["malloc.trim_threshold_bytes"] = "\(trimThresholdBytes)"
            }
        #endif
        return applied
    }

    /// Hands the pages of freed memory back to the system (glibc keeps them for reuse otherwise):
    /// called before the daemon sleeps, so an idle daemon holds only what it still uses.
    public static func releaseFreeMemory() {
        DirectWrite.releaseStaging()
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
