import Foundation
import Testing

@testable import TweetIngest

@Suite("Record reader")
struct RecordReaderTests {
    static let record = Array(
        #"{"id":"7","text":"caf\u00e9 \"q\" \ud83d\ude00\n","author":{"name":"A","public_metrics":{"followers_count":12}},"n":-3,"big":123456789012345678901,"b":true,"list":[{"x":"}"},[1,2],"]"]}"#
            .utf8)

    func value(_ path: [String], in bytes: [UInt8] = Self.record) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            let reader = RecordReader(buffer)
            return reader.find(path.map { Array($0.utf8) }, in: 0..<buffer.count).map {
                String(decoding: UnsafeBufferPointer(rebasing: buffer[$0]), as: UTF8.self)
            }
        }
    }

    @Test func findsMembersByPath() {
        #expect(value(["id"]) == #""7""#)
        #expect(value(["author", "public_metrics", "followers_count"]) == "12")
        #expect(value(["list"]) == #"[{"x":"}"},[1,2],"]"]"#)
        #expect(value(["b"]) == "true")
        #expect(value(["author", "missing"]) == nil)
        #expect(value(["id", "deeper"]) == nil)
    }

    @Test func decodesTextAndNumbers() {
        Self.record.withUnsafeBufferPointer { buffer in
            let reader = RecordReader(buffer)
            let text = reader.find([Array("text".utf8)], in: 0..<buffer.count)!
            var out: [UInt8] = []
            reader.appendText(of: text, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "café \"q\" 😀\n")
            #expect(!reader.isPlain(text))
            #expect(reader.int64(reader.find([Array("n".utf8)], in: 0..<buffer.count)!) == -3)
            #expect(reader.int64(reader.find([Array("big".utf8)], in: 0..<buffer.count)!) == nil, "does not fit in 64 bits")
            var elements: [String] = []
            reader.forEachElement(of: reader.find([Array("list".utf8)], in: 0..<buffer.count)!) {
                elements.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[$0]), as: UTF8.self))
            }
            #expect(elements == [#"{"x":"}"}"#, "[1,2]", #""]""#])
        }
    }

    @Test func aTruncatedRecordGivesMissingValuesNeverACrash() {
        // Every prefix of the record: members past the cut are missing, nothing reads out of bounds.
        for length in 0..<Self.record.count {
            let cut = Array(Self.record.prefix(length))
            let author = value(["author", "name"], in: cut)
            #expect(author == nil || author == #""A""#)
            _ = value(["list"], in: cut)
        }
    }
}
