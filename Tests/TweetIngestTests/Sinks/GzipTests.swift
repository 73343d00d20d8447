import Foundation
import Testing

@testable import TweetIngest

@Suite("Gzip")
struct GzipTests {
    @Test(arguments: [0, 1, 1000, 300_000])
    func decompressingWhatWasCompressedGivesTheInputBack(size: Int) throws {
        let input = (0..<size).map { UInt8(truncatingIfNeeded: ($0 * 7919) >> 3) }
        let compressed = try Gzip.compress(input)
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08], "a gzip member starts with 1f 8b and deflate")
        #expect(try Gzip.decompress(compressed) == input)
    }

    @Test func compressesRecordedPagesAndKeepsThemByteExact() throws {
        let page = try Fixtures.bytes(Fixtures.obamaPage)
        let compressed = try Gzip.compress(page)
        #expect(compressed.count < page.count / 4)
        #expect(try Gzip.decompress(compressed) == page)
    }

    @Test func concatenatedMembersDecompressToTheConcatenation() throws {
        let joined = try Gzip.compress(Array("first\n".utf8)) + Gzip.compress(Array("second\n".utf8))
        #expect(try Gzip.decompress(joined) == Array("first\nsecond\n".utf8))
    }

    @Test func truncatedInputIsAnError() throws {
        let compressed = try Gzip.compress(Array(repeating: 0x61, count: 10_000) + Array("tail".utf8))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(compressed.prefix(compressed.count / 2))) }
    }
}
