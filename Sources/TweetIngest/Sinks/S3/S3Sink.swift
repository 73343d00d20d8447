import FoundationEssentials
import Logging

/// Writes objects to an S3 bucket: one PutObject up to the multipart threshold, a multipart
/// upload above it. A failed multipart upload is aborted so no orphan parts stay billed.
/// Keys come from the caller and are never changed, so a retry overwrites instead of adding.
public struct S3Sink: Sink {
    public let client: S3Client
    /// Objects larger than this many bytes go up in parts.
    public let multipartThreshold: Int
    public let partSize: Int

    public init(client: S3Client, multipartThreshold: Int = 16 * 1024 * 1024, partSize: Int = 8 * 1024 * 1024) {
        self.client = client
        self.multipartThreshold = max(S3RequestBuilder.minimumPartSize, multipartThreshold)
        self.partSize = max(S3RequestBuilder.minimumPartSize, partSize)
    }

    public var destination: String { "s3://\(client.bucket)" }

    public func deliver(_ object: DeliveryObject) async throws {
        if object.body.count > multipartThreshold {
            try await uploadInParts(object)
        } else {
            _ = try await client.send(.putObject, key: object.key) { requests, credentials, date in
                try requests.putObject(
                    key: object.key, body: object.body, contentType: object.contentType, contentEncoding: object.contentEncoding,
                    credentials: credentials, date: date)
            }
        }
    }

    /// Part boundaries: `partSize` each, the last one shorter; at most 10,000 parts, S3's limit.
    public static func partRanges(byteCount: Int, partSize: Int) -> [Range<Int>] {
        let size = max(partSize, (byteCount + 9_999) / 10_000)
        return stride(from: 0, to: byteCount, by: size).map { $0..<min($0 + size, byteCount) }
    }

    private func uploadInParts(_ object: DeliveryObject) async throws {
        let key = object.key
        let created = try await client.send(.createMultipartUpload, key: key) { requests, credentials, date in
            try requests.createMultipartUpload(
                key: key, contentType: object.contentType, contentEncoding: object.contentEncoding, credentials: credentials,
                date: date)
        }
        guard let uploadID = XMLText.first("UploadId", in: String(decoding: created.body, as: UTF8.self)), !uploadID.isEmpty else {
            throw S3Error(
                operation: .createMultipartUpload, bucket: client.bucket, key: key,
                failure: .malformedResponse("the answer has no UploadId"))
        }
        client.sender.logger.debug("multipart upload started", metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)"])
        do {
            var parts: [S3CompletedPart] = []
            for (index, range) in Self.partRanges(byteCount: object.body.count, partSize: partSize).enumerated() {
                let number = index + 1
                let body = Array(object.body[range])
                let response = try await client.send(.uploadPart, key: key) { requests, credentials, date in
                    try requests.uploadPart(
                        key: key, uploadID: uploadID, partNumber: number, body: body, credentials: credentials, date: date)
                }
                guard let eTag = response.header("etag"), !eTag.isEmpty else {
                    throw S3Error(
                        operation: .uploadPart, bucket: client.bucket, key: key,
                        failure: .malformedResponse("the answer for part \(number) has no ETag"))
                }
                parts.append(S3CompletedPart(partNumber: number, eTag: eTag))
            }
            _ = try await client.send(.completeMultipartUpload, key: key) { requests, credentials, date in
                try requests.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts, credentials: credentials, date: date)
            }
        } catch {
            await abort(key: key, uploadID: uploadID, after: error)
            throw error
        }
    }

    /// Runs even when the delivery was cancelled (shutdown): the abort is its own task.
    private func abort(key: String, uploadID: String, after error: any Error) async {
        let client = self.client
        let aborted: (any Error)? = await Task { () async -> (any Error)? in
            do {
                _ = try await client.send(.abortMultipartUpload, key: key, maxAttempts: 3) { requests, credentials, date in
                    try requests.abortMultipartUpload(key: key, uploadID: uploadID, credentials: credentials, date: date)
                }
                return nil
            } catch {
                return error
            }
        }.value
        if let aborted {
            client.sender.logger.error(
                "could not abort a failed multipart upload; its parts stay billed until a lifecycle rule (AbortIncompleteMultipartUpload) removes them",
                metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)", "error": "\(aborted)", "cause": "\(error)"])
        } else {
            client.sender.logger.warning(
                "multipart upload aborted after a failure",
                metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)", "error": "\(error)"])
        }
    }
}
