/// The checkpoint as a small JSON object, `_state/<STREAM_NAME>.json` in the bucket, beside the
/// data, so a new task with an empty disk resumes where the last one stopped. It takes the
/// bucket's encryption settings but never the storage class: an archived checkpoint could not
/// be read back.
public struct S3CheckpointStore: CheckpointStore {
    public let client: S3Client
    public let key: String

    public init(client: S3Client, streamName: String) {
        self.client = client
        key = "_state/\(streamName).json"
    }

    public var location: String { "s3://\(client.bucket)/\(key)" }

    /// Nil when there is no checkpoint yet.
    public func load() async throws -> Checkpoint? {
        let response: HTTPResponse
        do {
            response = try await client.send(.getObject, key: key) { requests, credentials, date in
                try requests.getObject(key: key, credentials: credentials, date: date)
            }
        } catch let error as S3Error where error.code == "NoSuchKey" || (error.status == 404 && error.code != "NoSuchBucket") {
            return nil
        }
        do {
            return try Checkpoint.decode(response.body)
        } catch {
            throw S3CheckpointError(
                location: location,
                reason: "it is not a valid checkpoint (\(error)); delete or move it to start from TWITTER_START_TIME")
        }
    }

    public func save(_ checkpoint: Checkpoint) async throws {
        let body = try checkpoint.encoded()
        _ = try await client.send(.putObject, key: key) { requests, credentials, date in
            try requests.putObject(
                key: key, body: body, contentType: "application/json", storeWithStorageClass: false, credentials: credentials,
                date: date)
        }
    }
}

public struct S3CheckpointError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String

    public var description: String { "the checkpoint \(location) cannot be used: \(reason)" }
}
