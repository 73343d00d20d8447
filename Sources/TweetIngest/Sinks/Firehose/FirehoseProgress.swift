import Synchronization

/// Which records of an object Firehose has already taken, kept across `Delivery`'s retries of
/// the same object (same key): a retried object resends only what is still missing, so a
/// record Firehose took is never sent twice by a retry.
///
/// Only the last few objects are remembered (one is in flight at a time); an object is
/// forgotten once every record of it is taken.
final class FirehoseProgress: Sendable {
    private struct Entry {
        var key: String
        var accepted: [Bool]
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = max(1, capacity) }

    /// For each record of the object, whether Firehose has it already (all false for a new
    /// object, or when the object under this key no longer has `recordCount` records).
    func accepted(key: String, recordCount: Int) -> [Bool] {
        entries.withLock { entries in
            if let entry = entries.first(where: { $0.key == key }), entry.accepted.count == recordCount { return entry.accepted }
            return Array(repeating: false, count: recordCount)
        }
    }

    func save(key: String, accepted: [Bool]) {
        entries.withLock { entries in
            entries.removeAll { $0.key == key }
            entries.append(Entry(key: key, accepted: accepted))
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    func forget(key: String) {
        entries.withLock { entries in entries.removeAll { $0.key == key } }
    }
}
