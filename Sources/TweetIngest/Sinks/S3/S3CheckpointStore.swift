import FoundationEssentials
import Synchronization

/// The checkpoint as a small JSON object, `_state/<STREAM_NAME>.json` in the bucket, beside the
/// data, so a new task with an empty disk resumes where the last one stopped. It takes the
/// bucket's encryption settings but never the storage class: an archived checkpoint could not
/// be read back.
///
/// Every write is conditional on the object being as this daemon last saw it (`If-Match` its
/// ETag, or `If-None-Match: *` when there was none), so a second daemon on the same stream is
/// detected at its first checkpoint instead of silently moving the other's position.
public final class S3CheckpointStore: CheckpointStore, Sendable {
    public let client: S3Client
    public let key: String
    private let writerID: String
    /// What the object looked like when this daemon last read or wrote it; nil before `load`.
    private let expected = Mutex<S3WriteCondition?>(nil)

    public init(client: S3Client, streamName: String, writerID: String = UUID().uuidString.lowercased()) {
        self.client = client
        key = "_state/\(streamName).json"
        self.writerID = writerID
    }

    public var location: String { "s3://\(client.bucket)/\(key)" }

    /// Nil when there is no checkpoint yet.
    public func load() async throws -> Checkpoint? {
        guard let (checkpoint, etag) = try await fetch() else {
            expected.withLock { $0 = .absent }
            return nil
        }
        expected.withLock { $0 = etag.map { .etag($0) } }
        return checkpoint
    }

    public func save(_ checkpoint: Checkpoint) async throws {
        var checkpoint = checkpoint
        checkpoint.writer = writerID
        let body = try checkpoint.encoded()
        let condition = expected.withLock { $0 }
        do {
            let response = try await client.send(.putObject, key: key) { requests, credentials, date in
                try requests.putObject(
                    key: key, body: body, contentType: "application/json", storeWithStorageClass: false, condition: condition,
                    credentials: credentials, date: date)
            }
            expected.withLock { $0 = response.header("etag").map { .etag($0) } }
        } catch let error as S3Error
            where error.status == 412 || error.code == "PreconditionFailed" || error.code == "ConditionalRequestConflict"
        {
            // Our own earlier attempt may have landed with its answer lost (a dropped connection
            // after the write): then the object is exactly what we wrote.
            if let (current, etag) = try await fetch(), current.writer == writerID, current.cursor == checkpoint.cursor {
                expected.withLock { $0 = etag.map { .etag($0) } }
                return
            }
            let other = try await fetch()?.0
            throw CheckpointConflictError(
                location: location,
                detail:
                    "it changed since this daemon last wrote it; now written by \(other?.writer ?? "an unknown writer") at \(other?.updatedAt ?? "an unknown time")"
            )
        }
    }

    private func fetch() async throws -> (Checkpoint, String?)? {
        let response: HTTPResponse
        do {
            response = try await client.send(.getObject, key: key) { requests, credentials, date in
                try requests.getObject(key: key, credentials: credentials, date: date)
            }
        } catch let error as S3Error where error.code == "NoSuchKey" || (error.status == 404 && error.code != "NoSuchBucket") {
            return nil
        }
        do {
            return (try Checkpoint.decode(response.body), response.header("etag"))
        } catch {
            throw S3CheckpointError(
                location: location,
                reason: "it is not a valid checkpoint (\(error)); delete or move it to start from TWITTER_START_TIME")
        }
    }
}

public struct S3CheckpointError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String

    public var description: String { "the checkpoint \(location) cannot be used: \(reason)" }
}
