#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A hash table from a string's raw bytes in the page to an index, built once per page for the
/// `includes` lists, so that looking up an author or a referenced post allocates nothing.
///
/// Keys are ranges of the page (string content between the quotes), compared byte for byte:
/// the API sends ids, usernames and media keys without escapes.
struct ByteKeyTable {
    private var slots: [Int32]
    private var keys: [Range<Int>] = []
    private(set) var values: [Int] = []
    private let mask: Int

    init(capacity: Int) {
        var size = 8
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { keys.count }

    /// Sets `key` to `value`; a key set again keeps its entry (and so its insertion order) and
    /// takes the new value. Returns the entry's number, in first-insertion order.
    @discardableResult
    mutating func set(_ key: Range<Int>, to value: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var slot = Self.hash(bytes, key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 {
                slots[slot] = Int32(keys.count)
                keys.append(key)
                values.append(value)
                return keys.count - 1
            }
            if Self.equal(bytes, keys[entry], key) {
                values[entry] = value
                return entry
            }
            slot = (slot + 1) & mask
        }
    }

    /// The entry number of `key`, if it was set.
    func entry(_ key: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Self.hash(bytes, key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if Self.equal(bytes, keys[entry], key) { return entry }
            slot = (slot + 1) & mask
        }
    }

    func value(_ key: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        entry(key, in: bytes).map { values[$0] }
    }

    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ key: Range<Int>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in key {
            hash = (hash ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }
}
