/// The distinct byte strings of a column chunk, kept in their PLAIN encoding (4-byte length,
/// bytes) so the dictionary page is this buffer as it stands, and found through an
/// open-addressing hash table of entry indices: no allocation per value looked up.
struct ByteDictionary {
    /// The dictionary page's body: every entry, PLAIN.
    private(set) var plain: [UInt8] = []
    /// Where each entry's bytes start in `plain` (after its length), and how many there are.
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var hashes: [UInt64] = []
    /// Entry index + 1 per slot; 0 is an empty slot. The count is a power of two.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { starts.count }
    /// The size of the dictionary page's body.
    var byteCount: Int { plain.count }

    /// The entry `index`'s bytes, for `body`.
    func withEntry<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        plain.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[starts[index]..<(starts[index] + lengths[index])])) }
    }

    /// The index of `value`, if it is an entry.
    func index(of value: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return plain.withUnsafeBytes { all in
            while true {
                let entry = Int(slots[slot]) - 1
                if entry < 0 { return nil }
                if hashes[entry] == hash && lengths[entry] == value.count
                    && Self.equal(UnsafeRawBufferPointer(rebasing: all[starts[entry]..<(starts[entry] + lengths[entry])]), value)
                {
                    return entry
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds `value`, which must not be an entry yet; returns its index.
    mutating func insert(_ value: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        let entry = starts.count
        var length = UInt32(value.count).littleEndian
        withUnsafeBytes(of: &length) { plain.append(contentsOf: $0) }
        starts.append(plain.count)
        lengths.append(value.count)
        hashes.append(hash)
        plain.append(contentsOf: value)
        if (entry + 1) * 2 > slots.count { grow() } else { place(entry) }
        return entry
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for entry in 0..<starts.count { place(entry) }
    }

    /// A fast 64-bit hash of 8-byte words (multiply and fold), good enough for a hash table.
    static func hash(_ value: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash = UInt64(truncatingIfNeeded: value.count) &* multiplier
        var offset = 0
        while offset + 8 <= value.count {
            let word = value.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < value.count {
            tail |= UInt64(value[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* multiplier
        return hash ^ (hash >> 32)
    }

    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var offset = 0
        while offset + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < a.count {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }
}
