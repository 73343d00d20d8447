import Foundation
import Logging
import Testing

@testable import TweetIngest

@Suite("Replay progress")
struct ReplayProgressTests {
    @Test func lineShowsBytesOfTotalPagesRecordRateAndTimeLeft() {
        let progress = ReplayProgress(bytesRead: 82_100_000, totalBytes: 200_300_000, pages: 258, records: 25_800, elapsed: .seconds(2))
        // 41.0% read, shown rounded down; 118.2 MB left at 41.05 MB/s is 2.9 s, shown rounded up.
        #expect(progress.line == "[####......]  40% 82.1 MB of 200.3 MB, 258 pages, 12900 rec/s, 0:03 left")
    }

    @Test func lineWithoutATotalShowsNoBarAndNoTimeLeft() {
        let progress = ReplayProgress(bytesRead: 5_000_000, totalBytes: nil, pages: 1, records: 100, elapsed: .zero)
        #expect(progress.line == "5.0 MB, 1 page, - rec/s")
        #expect(progress.fraction == nil && progress.secondsLeft == nil && progress.recordsPerSecond == nil)
    }

    @Test func finishedReplayShowsAFullBarAndNothingLeft() {
        let progress = ReplayProgress(
            bytesRead: 40_000_000_000, totalBytes: 40_000_000_000, pages: 126_000, records: 12_600_000, elapsed: .seconds(3725))
        #expect(progress.line == "[##########] 100% 40.0 GB of 40.0 GB, 126000 pages, 3383 rec/s, 0:00 left")
    }

    @Test(
        "byte counts in decimal units with one decimal",
        arguments: [
            (0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (999_949, "999.9 kB"), (999_950, "1.0 MB"), (200_342_373, "200.3 MB"),
            (45_600_000_000, "45.6 GB"), (2_000_000_000_000, "2.0 TB"),
        ] as [(Int64, String)])
    func bytes(_ count: Int64, _ text: String) {
        #expect(ReplayProgress.bytes(count) == text)
    }

    @Test(
        "time left as m:ss, or h:mm:ss from an hour on",
        arguments: [(0.0, "0:00"), (0.2, "0:01"), (59.2, "1:00"), (605, "10:05"), (3600, "1:00:00"), (3725, "1:02:05")])
    func clock(_ seconds: Double, _ text: String) {
        #expect(ReplayProgress.clock(seconds) == text)
    }

    @Test func metadataHasDottedKeysAndPlainNumbers() {
        let progress = ReplayProgress(bytesRead: 50, totalBytes: 200, pages: 3, records: 300, elapsed: .milliseconds(1500))
        #expect(
            progress.metadata == [
                "replay.bytes_read": "50", "replay.bytes_total": "200", "replay.pages": "3", "replay.records": "300",
                "replay.records_per_second": "200", "replay.seconds_left": "5", "replay.elapsed_seconds": "2",
            ])
        #expect(ReplayProgress(bytesRead: 50, pages: 1, records: 1).metadata["replay.bytes_total"] == nil)
    }

    @Test func terminalLineIsRedrawnAtMostOncePerIntervalAndEndsWithANewline() {
        let clock = ManualClock()
        let written = Locked<[String]>([])
        let options = ReplayProgressOptions(
            output: .redraw(write: { bytes in written.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }),
            interval: .milliseconds(250), clock: clock)
        var reporter = ReplayProgressReporter(options: options, logger: silentLogger, totalBytes: 4_000_000)
        reporter.update(read: 1_000_000, pages: 2, records: 200)  // the first chunk draws at once
        clock.advance(by: .milliseconds(100))
        reporter.update(read: 1_000_000, pages: 4, records: 400)  // too soon
        clock.advance(by: .milliseconds(150))
        reporter.update(read: 2_000_000, pages: 8, records: 800)  // 250 ms after the first
        clock.advance(by: .milliseconds(10))
        reporter.finish(pages: 8, records: 800)
        #expect(
            written.value == [
                "\r[##........]  25% 1.0 MB of 4.0 MB, 2 pages, - rec/s\r",
                "\r[##########] 100% 4.0 MB of 4.0 MB, 8 pages, 3200 rec/s, 0:00 left\r",
                "\r[##########] 100% 4.0 MB of 4.0 MB, 8 pages, 3077 rec/s, 0:00 left\n",
            ])
    }

    @Test func shorterTerminalLinePadsOverTheLongerOne() {
        let written = Locked<[String]>([])
        let options = ReplayProgressOptions(
            output: .redraw(write: { bytes in written.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }),
            interval: .zero, clock: ManualClock())
        var reporter = ReplayProgressReporter(options: options, logger: silentLogger, totalBytes: nil)
        reporter.update(read: 1, pages: 10, records: 0)
        reporter.update(read: 1, pages: 1, records: 0)
        reporter.abandon()
        #expect(written.value == ["\r1 B, 10 pages, - rec/s\r", "\r2 B, 1 page, - rec/s  \r", "\n"])
    }

    @Test func withoutATerminalAProgressLineIsLoggedPerIntervalAndAtTheEnd() {
        let clock = ManualClock()
        let store = RecordingLogHandler.Store()
        var reporter = ReplayProgressReporter(
            options: ReplayProgressOptions(output: .log, interval: .seconds(5), clock: clock), logger: store.logger, totalBytes: 300)
        reporter.update(read: 100, pages: 1, records: 100)
        clock.advance(by: .seconds(4))
        reporter.update(read: 100, pages: 2, records: 200)
        clock.advance(by: .seconds(1))
        reporter.update(read: 100, pages: 3, records: 300)
        reporter.finish(pages: 3, records: 300)
        #expect(store.lines.map(\.message) == ["replay progress", "replay progress", "replay progress"])
        #expect(store.lines.allSatisfy { $0.level == .info })
        #expect(store.lines.map { $0.metadata["replay.bytes_read"] } == ["100", "300", "300"])
        #expect(store.lines.last?.metadata["replay.records_per_second"] == "60")
    }

    @Test func offWritesNothing() {
        let store = RecordingLogHandler.Store()
        var reporter = ReplayProgressReporter(options: .off, logger: store.logger, totalBytes: 10)
        reporter.update(read: 10, pages: 1, records: 1)
        reporter.finish(pages: 1, records: 1)
        #expect(store.lines.isEmpty)
    }

    @Test func replayLogsAFinalLineWithEveryByteAndRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = try [Fixtures.brexitPage, Fixtures.kpopPage, Fixtures.obamaPage].map { try Fixtures.pageAsOneLine($0) + [0x0A] }
        let file = try directory.write(lines.flatMap { $0 }, to: "pages.jsonl")
        let store = RecordingLogHandler.Store()
        let pipeline = Pipeline(
            delivery: .fake(sink: FakeSink()), maxBytes: 5 * 1024 * 1024, interval: .seconds(300), clock: ManualClock())
        // An interval no test run reaches: only the first chunk's line and the final one.
        let options = ReplayProgressOptions(output: .log, interval: .seconds(3600), clock: ManualClock())
        let replayer = Replayer(pipeline: pipeline, query: nil, logger: store.logger, now: { FakeWallClock.start }, progress: options)
        _ = try await replayer.replay(files: [file])
        let progress = store.lines.filter { $0.message == "replay progress" }
        #expect(progress.count == 2)
        let last = try #require(progress.last)
        let size = lines.reduce(0) { $0 + $1.count }
        #expect(last.metadata["replay.bytes_read"] == "\(size)" && last.metadata["replay.bytes_total"] == "\(size)")
        #expect(last.metadata["replay.pages"] == "3" && last.metadata["replay.records"] == "300")
    }

    @Test func totalSizeIsUnknownWhenAnInputIsNotARegularFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let a = try directory.write([1, 2, 3], to: "a")
        let b = try directory.write([4, 5], to: "b")
        #expect(Replayer<ManualClock>.totalSize(of: [a, b]) == 5)
        #expect(Replayer<ManualClock>.totalSize(of: [a, "/dev/null"]) == nil)
        #expect(Replayer<ManualClock>.totalSize(of: [a, directory.path + "/missing"]) == nil)
    }
}
