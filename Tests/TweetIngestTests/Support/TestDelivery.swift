import Foundation

@testable import TweetIngest

/// Object-name suffixes `r1`, `r2`, … in call order, so keys are predictable.
final class SequentialSuffixes: Sendable {
    private let count = Locked(0)

    func next() -> String {
        count.withLock { (count: inout Int) -> String in
            count += 1
            return "r\(count)"
        }
    }
}

extension Delivery {
    /// A delivery to fakes: predictable keys, no jitter, sleeps recorded instead of taken.
    static func fake(
        sink: some Sink, checkpoints: FakeCheckpointStore? = nil, sleep: RecordingSleep = RecordingSleep(),
        compression: Config.Compression = .none, now: Date = Date(timeIntervalSince1970: 1_767_323_100)
    ) -> Delivery {
        let suffixes = SequentialSuffixes()
        return Delivery(
            sink: sink, checkpoints: checkpoints,
            layout: ObjectKeyLayout(streamName: "tweets", fileExtension: compression.fileExtension), compression: compression,
            streamName: "tweets", query: "#swift", logger: silentLogger, now: { now }, sleep: sleep.closure,
            randomSuffix: { suffixes.next() }, randomUnit: { 0.5 })
    }
}
