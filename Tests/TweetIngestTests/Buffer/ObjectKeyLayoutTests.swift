import Foundation
import Testing

@testable import TweetIngest

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Object key layout")
struct ObjectKeyLayoutTests {
    /// 2026-01-02T03:04:05.678Z
    private let arrival = Date(timeIntervalSince1970: 1_767_323_045.678)

    @Test func dataKeyFollowsFirehosesDefaultLayout() {
        let layout = ObjectKeyLayout(streamName: "tweets")
        #expect(layout.dataKey(arrival: arrival, random: "3f2a") == "2026/01/02/03/tweets-1-2026-01-02-03-04-05-3f2a")
    }

    @Test func gzipAddsTheGzSuffixAndPrefixComesFirst() {
        let layout = ObjectKeyLayout(prefix: "raw/", streamName: "tweets", fileExtension: Config.Compression.gzip.fileExtension)
        #expect(layout.dataKey(arrival: arrival, random: "r") == "raw/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r.gz")
    }

    @Test func errorKeyGoesUnderProcessingFailed() {
        let layout = ObjectKeyLayout(streamName: "tweets")
        #expect(layout.errorKey(arrival: arrival, random: "r") == "errors/processing-failed/2026/01/02/03/tweets-1-2026-01-02-03-04-05-r")
    }

    @Test func keysAreUTCWhateverTheLocalTimeZone() {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", "Pacific/Kiritimati", 1)
        tzset()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
        var local = tm()
        var seconds = time_t(1_767_323_045)
        localtime_r(&seconds, &local)
        #expect(local.tm_hour == 17, "the test needs a zone where the local hour differs from UTC")
        let layout = ObjectKeyLayout(streamName: "tweets")
        #expect(layout.dataKey(arrival: arrival, random: "r") == "2026/01/02/03/tweets-1-2026-01-02-03-04-05-r")
    }

    @Test func midnightAndLeapDayRollOverCorrectly() {
        let layout = ObjectKeyLayout(streamName: "s")
        // 2024-02-29T23:59:59.999Z and one millisecond later.
        #expect(
            layout.dataKey(arrival: Date(timeIntervalSince1970: 1_709_251_199.999), random: "r")
                == "2024/02/29/23/s-1-2024-02-29-23-59-59-r")
        #expect(
            layout.dataKey(arrival: Date(timeIntervalSince1970: 1_709_251_200), random: "r") == "2024/03/01/00/s-1-2024-03-01-00-00-00-r")
    }
}
