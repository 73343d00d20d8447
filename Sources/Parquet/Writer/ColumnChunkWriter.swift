/// One column's part of the current row group: the page being filled (levels and values), the
/// pages already compressed, the dictionary and the statistics.
struct ColumnChunkWriter {
    /// How a BYTE_ARRAY chunk stores values: dictionary indices, deciding at the first page
    /// whether that pays, or PLAIN (every other type, and byte arrays after a fallback).
    enum Mode {
        case dictionary(decided: Bool)
        case plain
    }

    /// What a closed chunk hands to the file: its bytes and their footer entry.
    struct Closed {
        var dictionaryPage: [UInt8]?
        /// Each data page (header and body) in its own exactly sized array, in order.
        var dataPages: [[UInt8]]
        var metadata: ColumnChunkMetadata
        var pageCount: Int
    }

    let type: PhysicalType
    let path: [String]
    let maxDefinition: Int
    let maxRepetition: Int
    private let definitionWidth: Int
    private let repetitionWidth: Int

    // The page being filled.
    private var definitions: [UInt8] = []
    private var repetitions: [UInt8] = []
    private var values: [UInt8] = []
    private var indices: [UInt32] = []
    private var entries = 0
    private var booleans = 0
    /// The PLAIN size of the values held as dictionary indices on this page.
    private var indexedPlainBytes = 0
    private var body: [UInt8] = []

    // The chunk.
    private(set) var mode: Mode
    private var dictionary = ByteDictionary()
    /// One array per compressed page rather than one growing array: a chunk of many pages
    /// never grows by doubling (copying what it holds into fresh pages for the kernel to fault
    /// in, twice the chunk's size touched), and a page of ~100 KiB comes from malloc's reused heap.
    private var dataPages: [[UInt8]] = []
    private var dataPageSizes = (compressed: 0, uncompressed: 0)
    private var chunkEntries = 0
    private var usedPlain = false
    private var usedDictionary = false
    private var statistics = ColumnStatistics()
    /// Data pages written in this chunk, for tests.
    private(set) var pageCount = 0

    init(_ leaf: ParquetSchema.Leaf) {
        type = leaf.primitive.physicalType
        path = leaf.column.path
        maxDefinition = leaf.column.maxDefinitionLevel
        maxRepetition = leaf.column.maxRepetitionLevel
        definitionWidth = RLEHybrid.bitWidth(UInt64(maxDefinition))
        repetitionWidth = RLEHybrid.bitWidth(UInt64(maxRepetition))
        mode = type == .byteArray ? .dictionary(decided: false) : .plain
    }

    /// Values looked up before a chunk whose values are more than 90% distinct gives up its
    /// dictionary (it would not pay: PLAIN is smaller than a dictionary of all the values).
    static let distinctProbe = 1024

    /// The bytes the page holds before encoding, by which it is closed.
    var pageBytes: Int { values.count + indices.count * 4 + entries }
    var hasEntries: Bool { entries > 0 }
    /// At most the bytes `closeChunk` will hand over (pages held, the open page uncompressed,
    /// the dictionary), so the file can grow once per row group.
    var closingBytesBound: Int { dataPageSizes.compressed + values.count + indices.count * 4 + entries * 2 + dictionary.byteCount + 1024 }

    // MARK: Appending

    @inline(__always)
    private mutating func level(definition: Int, repetition: Int) {
        if maxDefinition > 0 { definitions.append(UInt8(truncatingIfNeeded: definition)) }
        if maxRepetition > 0 { repetitions.append(UInt8(truncatingIfNeeded: repetition)) }
        entries += 1
    }

    mutating func appendNull(definition: Int, repetition: Int) {
        level(definition: definition, repetition: repetition)
        statistics.nullCount += 1
    }

    mutating func append(_ value: Int64, repetition: Int) {
        level(definition: maxDefinition, repetition: repetition)
        withUnsafeBytes(of: value.littleEndian) { values.append(contentsOf: $0) }
        statistics.update(value)
    }

    mutating func append(_ value: Bool, repetition: Int) {
        level(definition: maxDefinition, repetition: repetition)
        let bit = booleans & 7
        if bit == 0 { values.append(0) }
        if value { values[values.count - 1] |= 1 << bit }
        booleans += 1
        statistics.update(value)
    }

    mutating func append(_ value: UnsafeRawBufferPointer, repetition: Int, dictionaryLimit: Int) {
        level(definition: maxDefinition, repetition: repetition)
        if case .dictionary = mode {
            let hash = ByteDictionary.hash(value)
            if let index = dictionary.index(of: value, hash: hash) {
                indices.append(UInt32(truncatingIfNeeded: index))
                indexedPlainBytes += 4 + value.count
                return
            }
            // A column whose values are nearly all distinct (ids, texts, whole documents) would
            // only fall back at the page's end after hashing and copying every value: decide
            // once a sample shows it.
            var nearlyAllDistinct: Bool {
                guard case .dictionary(decided: false) = mode else { return false }
                return indices.count >= Self.distinctProbe && dictionary.count * 10 > indices.count * 9
            }
            if !nearlyAllDistinct, dictionary.count == 0 || dictionary.byteCount + 4 + value.count <= dictionaryLimit {
                indices.append(UInt32(truncatingIfNeeded: dictionary.insert(value, hash: hash)))
                indexedPlainBytes += 4 + value.count
                statistics.update(value)
                return
            }
            // Nearly all distinct, or the dictionary is full: the rest of the chunk is PLAIN,
            // this page included.
            fallBackToPlain()
        }
        var length = UInt32(truncatingIfNeeded: value.count).littleEndian
        withUnsafeBytes(of: &length) { values.append(contentsOf: $0) }
        values.append(contentsOf: value)
        statistics.update(value)
    }

    /// Re-encodes the page's indices as PLAIN values (as parquet-mr does on fallback) and
    /// forgets the dictionary if no page refers to it.
    private mutating func fallBackToPlain() {
        for index in indices {
            dictionary.withEntry(Int(index)) { entry in
                var length = UInt32(truncatingIfNeeded: entry.count).littleEndian
                withUnsafeBytes(of: &length) { values.append(contentsOf: $0) }
                values.append(contentsOf: entry)
            }
        }
        indices = []
        indexedPlainBytes = 0
        if !usedDictionary { dictionary = ByteDictionary() }
        mode = .plain
    }

    // MARK: Pages

    /// Encodes, compresses and stores the page being filled.
    mutating func closePage(_ compressor: inout PageCompressor) throws(ParquetError) {
        guard entries > 0 else { return }
        if case .dictionary(decided: false) = mode {
            // Keep the dictionary only if it and the indices are smaller than PLAIN would be.
            let indexBytes = (indices.count * RLEHybrid.bitWidth(UInt64(max(dictionary.count - 1, 1))) + 7) / 8
            if dictionary.byteCount + indexBytes >= indexedPlainBytes {
                fallBackToPlain()
            } else {
                mode = .dictionary(decided: true)
            }
        }
        body.removeAll(keepingCapacity: true)
        if maxRepetition > 0 { appendLevels(repetitions, width: repetitionWidth) }
        if maxDefinition > 0 { appendLevels(definitions, width: definitionWidth) }
        let encoding: Encoding
        if case .dictionary = mode {
            let width = max(RLEHybrid.bitWidth(UInt64(max(dictionary.count - 1, 0))), 1)
            body.append(UInt8(width))
            RLEHybrid.encode(indices, bitWidth: width, into: &body)
            encoding = .rleDictionary
            usedDictionary = true
        } else {
            body.append(contentsOf: values)
            encoding = .plain
            usedPlain = true
        }
        let numValues = Int32(entries)
        var page: [UInt8] = []
        let sizes = try compressor.appendPage(body, to: &page) { compressedSize in
            PageHeader(
                kind: .data(numValues: numValues, encoding: encoding), uncompressedSize: Int32(body.count),
                compressedSize: compressedSize)
        }
        dataPages.append(page)
        dataPageSizes.compressed += sizes.compressed
        dataPageSizes.uncompressed += sizes.uncompressed
        chunkEntries += entries
        pageCount += 1
        definitions.removeAll(keepingCapacity: true)
        repetitions.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        entries = 0
        booleans = 0
        indexedPlainBytes = 0
    }

    /// Levels in a v1 data page: a 4-byte little-endian length, then the RLE/bit-packed hybrid.
    private mutating func appendLevels(_ levels: [UInt8], width: Int) {
        let start = body.count
        body.append(contentsOf: [0, 0, 0, 0])
        RLEHybrid.encode(levels, bitWidth: width, into: &body)
        let length = UInt32(body.count - start - 4)
        for byte in 0..<4 { body[start + byte] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(byte))) }
    }

    // MARK: The chunk

    /// Closes the last page and hands over the chunk's pages; the writer is then empty, ready
    /// for the next row group. Offsets in the metadata are relative to `base`, where the
    /// chunk will start in the file.
    mutating func closeChunk(
        _ compressor: inout PageCompressor, base: Int, truncateLength: Int
    ) throws(ParquetError) -> Closed {
        try closePage(&compressor)
        var dictionaryPage: [UInt8]?
        var sizes = dataPageSizes
        if usedDictionary {
            var page: [UInt8] = []
            let count = Int32(dictionary.count)
            let plain = dictionary.plain
            let dictionarySizes = try compressor.appendPage(plain, to: &page) { compressedSize in
                PageHeader(kind: .dictionary(numValues: count), uncompressedSize: Int32(plain.count), compressedSize: compressedSize)
            }
            sizes.compressed += dictionarySizes.compressed
            sizes.uncompressed += dictionarySizes.uncompressed
            dictionaryPage = page
        }
        var encodings: [Encoding] = []
        if usedPlain || usedDictionary { encodings.append(.plain) }
        encodings.append(.rle)
        if usedDictionary { encodings.append(.rleDictionary) }
        let dictionaryOffset = dictionaryPage.map { _ in Int64(base) }
        let metadata = ColumnChunkMetadata(
            type: type, encodings: encodings, path: path, codec: compressor.codec, numValues: Int64(chunkEntries),
            totalUncompressedSize: Int64(sizes.uncompressed), totalCompressedSize: Int64(sizes.compressed),
            dataPageOffset: Int64(base + (dictionaryPage?.count ?? 0)), dictionaryPageOffset: dictionaryOffset,
            statistics: statistics.value(for: type, truncateLength: truncateLength))
        let closed = Closed(dictionaryPage: dictionaryPage, dataPages: dataPages, metadata: metadata, pageCount: pageCount)
        reset()
        return closed
    }

    private mutating func reset() {
        mode = type == .byteArray ? .dictionary(decided: false) : .plain
        dictionary = ByteDictionary()
        dataPages = []
        dataPageSizes = (0, 0)
        chunkEntries = 0
        usedPlain = false
        usedDictionary = false
        statistics = ColumnStatistics()
        pageCount = 0
    }
}
