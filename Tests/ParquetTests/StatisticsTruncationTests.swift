import Testing

@testable import Parquet

@Suite("Statistics truncation")
struct StatisticsTruncationTests {
    @Test func shortValuesAreKeptWhole() {
        #expect(StatisticsTruncation.lowerBound(Array("abc".utf8), length: 3) == Array("abc".utf8))
        #expect(StatisticsTruncation.upperBound(Array("abc".utf8), length: 3) == Array("abc".utf8))
    }

    @Test func theMinimumBecomesAPrefix() {
        #expect(StatisticsTruncation.lowerBound(Array("abcdef".utf8), length: 3) == Array("abc".utf8))
    }

    @Test func theMaximumBecomesAPrefixWithItsLastCharacterIncremented() {
        #expect(StatisticsTruncation.upperBound(Array("abcdef".utf8), length: 3) == Array("abd".utf8))
    }

    @Test func utf8IsCutAtACharacterBoundaryAndStaysValid() {
        // "é" is two bytes: a cut after 2 bytes would split it, so the prefix is "a".
        let value = Array("aébc".utf8)
        #expect(StatisticsTruncation.lowerBound(value, length: 2) == Array("a".utf8))
        #expect(StatisticsTruncation.upperBound(value, length: 2) == Array("b".utf8))
        // U+FFFF is followed by U+10000 (four bytes), still greater bytewise.
        let high = Array("\u{FFFF}\u{FFFF}x".utf8)
        let bound = StatisticsTruncation.upperBound(high, length: 3)!
        #expect(bound == Array("\u{10000}".utf8))
        #expect(high.lexicographicallyPrecedes(bound))
    }

    @Test func bytesThatAreNotUTF8AreIncrementedBytewise() {
        #expect(StatisticsTruncation.upperBound([0xFF, 0x01, 0xFF, 0x07], length: 3) == [0xFF, 0x02])
        #expect(StatisticsTruncation.upperBound([0xFF, 0xFF, 0xFF, 0x00], length: 3) == nil)
    }

    @Test func statisticsOfAByteArrayColumnAreTruncatedAndMarkedInexact() {
        var statistics = ColumnStatistics()
        let long = [UInt8](repeating: 0x61, count: 100)
        long.withUnsafeBytes { statistics.update($0) }
        let value = statistics.value(for: .byteArray, truncateLength: 64)
        #expect(value.minValue == [UInt8](repeating: 0x61, count: 64))
        #expect(value.maxValue == [UInt8](repeating: 0x61, count: 63) + [0x62])
        #expect(!value.minIsExact && !value.maxIsExact)
    }
}
