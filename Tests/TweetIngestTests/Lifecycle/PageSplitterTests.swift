import Testing

@testable import TweetIngest

@Suite("Page splitter")
struct PageSplitterTests {
    private func split(_ bytes: [UInt8], chunkSize: Int) -> [[UInt8]] {
        var splitter = PageSplitter()
        var pages: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            pages += splitter.feed(Array(bytes[offset..<min(bytes.count, offset + chunkSize)]))
            offset += chunkSize
        }
        return pages + splitter.finish()
    }

    @Test(arguments: [1, 7, 4096, 10_000_000])
    func jsonLinesSplitIntoOnePagePerLineWhateverTheChunkSize(chunkSize: Int) throws {
        let lines: [[UInt8]] = [
            Array(#"{"meta":{"result_count":0},"note":"a } in a string"}"#.utf8), Array(#"{"data":[{"id":"1"}]}"#.utf8),
            Array(#"{"x":"esc\"aped \\"}"#.utf8),
        ]
        let input: [UInt8] = lines.flatMap { $0 + [0x0A] } + [0x0A]
        #expect(split(input, chunkSize: chunkSize) == lines)
    }

    @Test(arguments: [1, 13, 1 << 20])
    func prettyPrintedValuesSplitWhereTheirBracesBalance(chunkSize: Int) throws {
        let first = Array("{\n \"data\": [\n  {\"id\": \"1\", \"text\": \"{ not a brace\"}\n ]\n}".utf8)
        let second = Array("{\n \"meta\": {\n  \"result_count\": 0\n }\n}".utf8)
        let pages = split(first + [0x0A] + second + [0x0A], chunkSize: chunkSize)
        #expect(pages == [first, second])
    }

    @Test func recordedPrettyPageIsOnePage() throws {
        let page = try Fixtures.bytes(Fixtures.brexitPage)
        let pages = split(page, chunkSize: 65_536)
        #expect(pages.count == 1)
        #expect(pages.first?.count ?? 0 >= page.count - 1)
    }
}
