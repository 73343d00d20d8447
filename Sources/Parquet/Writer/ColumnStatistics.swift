/// Min, max and null count of a column chunk, in each type's own order: signed for INT64,
/// unsigned bytewise for BYTE_ARRAY, false before true for BOOLEAN.
struct ColumnStatistics {
    var nullCount: Int64 = 0
    private var hasValue = false
    private var minInt = Int64.max
    private var maxInt = Int64.min
    private var minBytes: [UInt8] = []
    private var maxBytes: [UInt8] = []
    private var sawFalse = false
    private var sawTrue = false

    mutating func update(_ value: Int64) {
        hasValue = true
        if value < minInt { minInt = value }
        if value > maxInt { maxInt = value }
    }

    mutating func update(_ value: Bool) {
        hasValue = true
        if value { sawTrue = true } else { sawFalse = true }
    }

    mutating func update(_ value: UnsafeRawBufferPointer) {
        if !hasValue {
            hasValue = true
            minBytes.append(contentsOf: value)
            maxBytes.append(contentsOf: value)
            return
        }
        if Self.precedes(value, minBytes) {
            minBytes.removeAll(keepingCapacity: true)
            minBytes.append(contentsOf: value)
        } else if Self.precedes(maxBytes, value) {
            maxBytes.removeAll(keepingCapacity: true)
            maxBytes.append(contentsOf: value)
        }
    }

    /// The footer's Statistics; byte-array bounds longer than `truncateLength` are shortened.
    func value(for type: PhysicalType, truncateLength: Int) -> StatisticsValue {
        var statistics = StatisticsValue(nullCount: nullCount)
        guard hasValue else { return statistics }
        switch type {
        case .int64:
            statistics.minValue = Self.littleEndian(minInt)
            statistics.maxValue = Self.littleEndian(maxInt)
        case .boolean:
            statistics.minValue = [sawFalse ? 0 : 1]
            statistics.maxValue = [sawTrue ? 1 : 0]
        case .byteArray:
            let min = StatisticsTruncation.lowerBound(minBytes, length: truncateLength)
            let max = StatisticsTruncation.upperBound(maxBytes, length: truncateLength)
            statistics.minValue = min
            statistics.minIsExact = min.count == minBytes.count
            statistics.maxValue = max
            statistics.maxIsExact = max?.count == maxBytes.count && max == maxBytes
        }
        return statistics
    }

    private static func littleEndian(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func precedes(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}

/// Shortening long byte-array statistics without making them wrong: the minimum to a prefix
/// (never greater than the value), the maximum to a prefix whose last character is incremented
/// (always greater than any value with that prefix). Valid UTF-8 stays valid UTF-8, cut at a
/// character boundary, because readers decode STRING statistics as text.
enum StatisticsTruncation {
    static func lowerBound(_ value: [UInt8], length: Int) -> [UInt8] {
        guard value.count > length else { return value }
        if isUTF8(value) {
            return Array(value[0..<characterBoundary(value, atMost: length)])
        }
        return Array(value[0..<length])
    }

    /// nil when no short upper bound exists (every byte of the prefix is 0xFF).
    static func upperBound(_ value: [UInt8], length: Int) -> [UInt8]? {
        guard value.count > length else { return value }
        if isUTF8(value) {
            var scalars = Array(String(decoding: value[0..<characterBoundary(value, atMost: length)], as: UTF8.self).unicodeScalars)
            while let last = scalars.popLast() {
                var next = last.value + 1
                if next == 0xD800 { next = 0xE000 }
                if let incremented = Unicode.Scalar(next) {
                    scalars.append(incremented)
                    var text = String.UnicodeScalarView()
                    text.append(contentsOf: scalars)
                    return Array(String(text).utf8)
                }
            }
            return nil
        }
        var prefix = Array(value[0..<length])
        while let last = prefix.popLast() {
            if last < 0xFF {
                prefix.append(last + 1)
                return prefix
            }
        }
        return nil
    }

    private static func isUTF8(_ value: [UInt8]) -> Bool {
        String(validating: value, as: UTF8.self) != nil
    }

    /// The largest index <= `atMost` that does not split a UTF-8 sequence.
    private static func characterBoundary(_ value: [UInt8], atMost: Int) -> Int {
        var index = atMost
        while index > 0 && index < value.count && value[index] & 0xC0 == 0x80 { index -= 1 }
        return index
    }
}
