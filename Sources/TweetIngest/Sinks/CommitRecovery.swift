import FoundationEssentials
import Logging

/// Start-up recovery of the commit protocol (README, "Exactly once"): settles the batch the last
/// checkpoint's intent names before anything is polled. Every object it names exists: the batch
/// is committed (roll forward). Otherwise its partial output is removed (roll back) and its posts
/// are read again from the checkpoint's cursor. First, every unfinished multipart upload of those
/// keys is aborted, so no upload begun before the crash can still complete. Requests: per key of
/// the intent (at most two) one ListMultipartUploads and one HeadObject, a DeleteObject per partial
/// object; nothing else is listed or read. Running it twice (a crash during recovery) gives the
/// same outcome.
public enum CommitRecovery {
    public struct Outcome: Sendable, Equatable {
        /// Where reading resumes: every post up to here is in exactly one object.
        public var cursor: SearchCursor
        /// The next batch's number.
        public var sequence: Int
        public var unfinishedUploads: [AbandonedUpload]
        public var action: Action
        /// Uploads a crash left unfinished, now aborted.
        public var abortedUploads: Int

        public enum Action: Sendable, Equatable {
            case nothingToSettle
            case rolledForward(keys: [String])
            case rolledBack(removed: [String])
        }
    }

    /// `checkpoint` nil or for another query: nothing of ours to settle but its intent, which is
    /// settled all the same (its objects are ours).
    public static func recover(_ checkpoint: Checkpoint?, sink: any RecoverableSink, logger: Logger) async throws -> Outcome {
        guard let checkpoint else {
            return Outcome(cursor: SearchCursor(), sequence: 0, unfinishedUploads: [], action: .nothingToSettle, abortedUploads: 0)
        }
        var outcome = Outcome(
            cursor: checkpoint.cursor, sequence: checkpoint.sequence ?? 0, unfinishedUploads: [], action: .nothingToSettle,
            abortedUploads: 0)
        for upload in checkpoint.unfinishedUploads ?? [] {
            do {
                try await sink.abortUpload(upload)
                outcome.abortedUploads += 1
            } catch {
                outcome.unfinishedUploads.append(upload)
                logger.warning(
                    "could not abort an unfinished multipart upload yet; retried with the next checkpoint",
                    metadata: ["sink.key": "\(upload.key)", "error": "\(error)"])
            }
        }
        guard let intent = checkpoint.intent else { return outcome }
        for key in intent.keys {
            outcome.abortedUploads += try await sink.abortUnfinishedUploads(key: key)
        }
        var existing: [String] = []
        for key in intent.keys where try await sink.objectExists(key) {
            existing.append(key)
        }
        if existing.count == intent.keys.count {
            outcome.cursor = intent.cursor
            outcome.sequence = intent.sequence + 1
            outcome.action = .rolledForward(keys: intent.keys)
            logger.notice(
                "recovery: the last batch's objects all exist; it is committed",
                metadata: ["recovery.sequence": "\(intent.sequence)", "recovery.keys": "\(intent.keys.joined(separator: ","))"])
        } else {
            for key in existing {
                try await sink.removeObject(key)
            }
            outcome.sequence = intent.sequence
            outcome.action = .rolledBack(removed: existing)
            logger.notice(
                "recovery: the last batch was cut off by a crash; its partial objects are removed and its posts are read again",
                metadata: [
                    "recovery.sequence": "\(intent.sequence)", "recovery.removed": "\(existing.joined(separator: ","))",
                    "recovery.aborted_uploads": "\(outcome.abortedUploads)",
                ])
        }
        return outcome
    }
}
