/// Splits a batch's records by their partition key values (Firehose's dynamic partitioning), so
/// one flush writes one object per distinct key set. Pure: bytes in, groups of line ranges out.
public struct RecordPartitioner: Sendable {
    public let partitioning: Partitioning

    public init(_ partitioning: Partitioning) { self.partitioning = partitioning }

    /// The records of one key set, in batch order.
    public struct Group: Sendable, Equatable {
        /// Key name → value (made safe for a key; the default where the record lacks one).
        public var values: [String: String]
        /// Line ranges in the batch, newline excluded.
        public var lines: [Range<Int>]
    }

    public struct Result: Sendable, Equatable {
        /// Key sets in the order their first record came.
        public var groups: [Group]
        /// Records of key sets beyond `maximumPartitions` (Firehose: `activePartitionExceeded`).
        public var overflow: [Range<Int>]
    }

    public func split(_ records: [UInt8]) -> Result {
        records.withUnsafeBufferPointer { bytes in
            let reader = RecordReader(bytes)
            var result = Result(groups: [], overflow: [])
            var index: [[String]: Int] = [:]
            for line in recordLines(bytes) {
                let values = partitioning.keys.map { value(of: $0, in: line, reader) ?? partitioning.defaultValue }
                if let group = index[values] {
                    result.groups[group].lines.append(line)
                } else if result.groups.count < partitioning.maximumPartitions {
                    index[values] = result.groups.count
                    let named = Dictionary(zip(partitioning.keys.map(\.name), values), uniquingKeysWith: { a, _ in a })
                    result.groups.append(Group(values: named, lines: [line]))
                } else {
                    result.overflow.append(line)
                }
            }
            return result
        }
    }

    /// A scalar's text made safe for a key (strings decoded, `true`/`false`, numbers as written);
    /// nil for a missing member, `null`, an object or an array, or an empty string.
    func value(of key: PartitionKey, in record: Range<Int>, _ reader: RecordReader) -> String? {
        guard let raw = reader.find(key.pathBytes, in: record) else { return nil }
        let text: String
        switch reader.kind(raw) {
        case .string:
            var out: [UInt8] = []
            reader.appendText(of: raw, to: &out)
            text = String(decoding: out, as: UTF8.self)
        case .boolean, .number:
            text = String(decoding: UnsafeBufferPointer(rebasing: reader.bytes[raw]), as: UTF8.self)
        case .null, .object, .array:
            return nil
        }
        return PartitionKey.safeValue(text)
    }
}
