import Testing

@testable import TweetIngest

@Suite("malloc settings")
struct AllocatorTuningTests {
    @Test func everySettingAppliesByDefault() {
        #expect(
            AllocatorTuning.apply(environment: [:])
                == [
                    "malloc.arena_max": "2", "malloc.mmap_threshold_bytes": "\(4 << 20)",
                    "malloc.trim_threshold_bytes": "\(64 << 20)",
                ])
    }

    @Test func glibcsOwnVariablesWin() {
        #expect(AllocatorTuning.apply(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"]).isEmpty)
        #expect(
            AllocatorTuning.apply(environment: ["MALLOC_ARENA_MAX": "4"]).keys.sorted()
                == ["malloc.mmap_threshold_bytes", "malloc.trim_threshold_bytes"])
        #expect(
            AllocatorTuning.apply(environment: ["MALLOC_MMAP_THRESHOLD_": "131072"]).keys.sorted()
                == ["malloc.arena_max", "malloc.trim_threshold_bytes"])
        #expect(
            AllocatorTuning.apply(environment: ["MALLOC_TRIM_THRESHOLD_": "131072"]).keys.sorted()
                == ["malloc.arena_max", "malloc.mmap_threshold_bytes"])
    }
}
