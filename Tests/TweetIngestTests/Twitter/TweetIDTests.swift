import Foundation
import Testing

@testable import TweetIngest

@Suite("Tweet ids")
struct TweetIDTests {
    @Test func idsCompareAsIntegersNotAsText() throws {
        let shorter = try #require(TweetID("999"))
        let longer = try #require(TweetID("1000"))
        #expect(shorter < longer)
        let a = try #require(TweetID("1380242611781386245"))
        let b = try #require(TweetID("1380242611781386246"))
        #expect(a < b)
        #expect(max(a, b) == b)
    }

    @Test(arguments: ["", "12a", "-1", "+1", " 1", "1.0", "1e3", "18446744073709551616", "١٢٣"])
    func rejectsAnythingButDigitsThatFitIn64Bits(text: String) {
        #expect(TweetID(text) == nil)
    }

    @Test func idsAbove2To53NeverPassThroughADouble() throws {
        let text = "9007199254740993"
        #expect(String(Int64(Double(text)!)) != text, "a Double would round this id")
        let id = try #require(TweetID(text))
        #expect(id.description == text)
        #expect(TweetID("18446744073709551615")?.value == UInt64.max)

        let encoded = try JSONEncoder().encode([id])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["9007199254740993"]"#)
        #expect(try JSONDecoder().decode([TweetID].self, from: encoded) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TweetID].self, from: Data(#"["12x"]"#.utf8)) }
    }
}
