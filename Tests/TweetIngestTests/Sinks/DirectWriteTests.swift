import Foundation
import Glibc
import Testing

@testable import TweetIngest

/// Object buffers go past the page cache (`O_DIRECT`, padded to whole blocks and cut back), and a
/// file system without direct I/O still gets every byte.
@Suite("Direct writes of object buffers")
struct DirectWriteTests {
    /// Sizes at and around the threshold, the staging buffer and the 4 KiB block: the padding must
    /// never show, and chunks must land at their offsets.
    static let sizes = [
        DirectWrite.threshold, DirectWrite.threshold + 1, 3 << 20 | 123, DirectWrite.stagingBytes, DirectWrite.stagingBytes + 1,
        (9 << 20) + 4095, (9 << 20) + 4096,
    ]

    static func body(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test(arguments: sizes) func anObjectBufferIsWrittenWithExactlyItsBytes(count: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = LocalDirectorySink(root: directory.path, streamName: "tweets")
        let body = Self.body(count)
        try await sink.deliver(DeliveryObject(key: "2026/12/02/06/tweets-1-x", body: body, recordCount: 1))
        let written = try #require(FileManager.default.contents(atPath: directory.path + "/2026/12/02/06/tweets-1-x"))
        #expect(written.count == count)
        let bytes = Array(written)
        let same = bytes == body  // a Bool: a failure must not print megabytes
        #expect(same, "first different byte at \((0..<min(bytes.count, count)).first { bytes[$0] != body[$0] } ?? -1)")
        #expect(directory.allFiles() == ["2026/12/02/06/tweets-1-x"], "no temporary file left")
    }

    @Test func directWriteCutsThePaddingOffOrSaysTheFileSystemHasNoDirectIO() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/direct"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | DirectWrite.flag, 0o644)
        try #require(fd >= 0 || errno == EINVAL, "open: \(String(cString: strerror(errno)))")
        guard fd >= 0 else { return }  // no direct I/O here: the sink opens the file normally instead
        defer { close(fd) }
        let body = Self.body((2 << 20) + 77)
        let outcome = body.withUnsafeBytes { DirectWrite.write($0, to: fd) }
        #expect(outcome != .failed, "\(String(cString: strerror(errno)))")
        if outcome == .written {
            let same = FileManager.default.contents(atPath: path).map(Array.init) == body
            #expect(same)
        }
    }

    @Test func aFileSystemWithoutDirectIOGetsTheSameBytes() async throws {
        // tmpfs refuses O_DIRECT on many kernels; where it accepts it, this is one more direct write.
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return }
        let root = "/dev/shm/tweet-ingest-direct-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = LocalDirectorySink(root: root, streamName: "tweets")
        let body = Self.body((3 << 20) + 5)
        try await sink.deliver(DeliveryObject(key: "k", body: body, recordCount: 1))
        let same = FileManager.default.contents(atPath: root + "/k").map(Array.init) == body
        #expect(same)
    }
}
