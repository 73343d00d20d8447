/// Which messages of recent objects the brokers acknowledged.
///
/// `Delivery` retries a failed object under the same key; the ledger makes that retry send only
/// the messages not yet acknowledged, and a second delivery of a completed object send nothing
/// (the `Sink` promise: the same key twice leaves one copy). It lives as long as the process and
/// remembers the last `capacity` objects.
struct KafkaAckLedger: Sendable {
    private enum Entry: Sendable {
        case partial(total: Int, acknowledged: Set<Int>)
        case complete(total: Int)
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int = 16) { self.capacity = max(1, capacity) }

    /// The indexes of the object's `total` records still to send, in order.
    mutating func unacknowledged(key: String, total: Int) -> [Int] {
        switch entries[key] {
        case .complete(let known) where known == total:
            return []
        case .partial(let known, let acknowledged) where known == total:
            return (0..<total).filter { !acknowledged.contains($0) }
        default:
            remember(key, .partial(total: total, acknowledged: []))
            return Array(0..<total)
        }
    }

    /// Records acknowledged messages; true once every message of the object is acknowledged.
    @discardableResult
    mutating func acknowledge(_ indexes: [Int], key: String) -> Bool {
        switch entries[key] {
        case .complete:
            return true
        case .partial(let total, var acknowledged):
            acknowledged.formUnion(indexes)
            let done = acknowledged.count >= total
            entries[key] = done ? .complete(total: total) : .partial(total: total, acknowledged: acknowledged)
            return done
        case nil:
            return false
        }
    }

    private mutating func remember(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
        while order.count > capacity { entries[order.removeFirst()] = nil }
    }
}
