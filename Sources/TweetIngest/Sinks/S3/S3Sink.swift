import FoundationEssentials
import Logging

/// Writes objects to an S3 bucket: one PutObject up to the multipart threshold, a multipart
/// upload above it. A failed multipart upload is aborted so no orphan parts stay billed; one whose
/// abort fails too is kept for `takeAbandonedUploads`. Keys come from the caller and are never
/// changed, so a retry overwrites instead of adding; a `createOnly` object is written with
/// `If-None-Match: *`, and S3 refusing it (412) means our own earlier attempt is already there.
public struct S3Sink: RecoverableSink {
    public let client: S3Client
    /// Objects larger than this many bytes go up in parts.
    public let multipartThreshold: Int
    public let partSize: Int
    let ledger = S3UploadLedger()

    public init(client: S3Client, multipartThreshold: Int = 16 * 1024 * 1024, partSize: Int = 8 * 1024 * 1024) {
        self.client = client
        self.multipartThreshold = max(S3RequestBuilder.minimumPartSize, multipartThreshold)
        self.partSize = max(S3RequestBuilder.minimumPartSize, partSize)
    }

    public var destination: String { "s3://\(client.bucket)" }

    var logger: Logger { client.sender.logger }

    public func deliver(_ object: DeliveryObject) async throws {
        if object.createOnly, ledger.isUnverified(object.key) {
            // An earlier completion stored an object that failed its checksum check and could not
            // be removed then: it must go before `If-None-Match: *` would keep it.
            try await removeObject(object.key)
            ledger.markVerified(object.key)
        }
        if object.body.count > multipartThreshold {
            try await uploadInParts(object)
        } else {
            do {
                _ = try await client.send(.putObject, key: object.key) { requests, credentials, date in
                    try requests.putObject(
                        key: object.key, body: object.body, contentType: object.contentType, contentEncoding: object.contentEncoding,
                        metadata: object.metadata, condition: object.createOnly ? .absent : nil, credentials: credentials, date: date)
                }
            } catch let error as S3Error where object.createOnly && error.meansPreconditionFailed {
                logAlreadyThere(object.key)
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
        let checksum = client.requests.checksum
        let created = try await client.send(.createMultipartUpload, key: key) { requests, credentials, date in
            try requests.createMultipartUpload(
                key: key, contentType: object.contentType, contentEncoding: object.contentEncoding, metadata: object.metadata,
                credentials: credentials, date: date)
        }
        guard let uploadID = XMLText.first("UploadId", in: String(decoding: created.body, as: UTF8.self)), !uploadID.isEmpty else {
            throw S3Error(
                operation: .createMultipartUpload, bucket: client.bucket, key: key,
                failure: .malformedResponse("the answer has no UploadId"))
        }
        logger.debug("multipart upload started", metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)"])
        var digests: [[UInt8]] = []
        let completed: HTTPResponse
        do {
            var parts: [S3CompletedPart] = []
            for (index, range) in Self.partRanges(byteCount: object.body.count, partSize: partSize).enumerated() {
                let number = index + 1
                let body = Array(object.body[range])
                let digest = checksum.digest(body)
                let response = try await client.send(.uploadPart, key: key) { requests, credentials, date in
                    try requests.uploadPart(
                        key: key, uploadID: uploadID, partNumber: number, body: body, credentials: credentials, date: date)
                }
                guard let eTag = response.header("etag"), !eTag.isEmpty else {
                    throw S3Error(
                        operation: .uploadPart, bucket: client.bucket, key: key,
                        failure: .malformedResponse("the answer for part \(number) has no ETag"))
                }
                parts.append(S3CompletedPart(partNumber: number, eTag: eTag, checksum: digest.map(S3Checksum.base64)))
                if let digest { digests.append(digest) }
            }
            completed = try await client.send(.completeMultipartUpload, key: key) { requests, credentials, date in
                try requests.completeMultipartUpload(
                    key: key, uploadID: uploadID, parts: parts, createOnly: object.createOnly, credentials: credentials, date: date)
            }
        } catch let error as S3Error where object.createOnly && error.operation == .completeMultipartUpload && error.meansPreconditionFailed
        {
            // The object is there already; this upload's parts are not needed.
            if let failure = await abort(key: key, uploadID: uploadID) {
                logAbortFailure(key: key, uploadID: uploadID, failure, cause: error)
            }
            logAlreadyThere(key)
            return
        } catch {
            if let failure = await abort(key: key, uploadID: uploadID) {
                logAbortFailure(key: key, uploadID: uploadID, failure, cause: error)
            } else {
                logger.warning(
                    "multipart upload aborted after a failure",
                    metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)", "error": "\(error)"])
            }
            throw error
        }
        try await verifyComposite(completed, key: key, partDigests: digests)
    }

    /// Compares the composite checksum CompleteMultipartUpload returns (when it returns one) with
    /// the one the parts as sent add up to. A mismatch means S3 holds other bytes than we sent:
    /// the object is removed and the error thrown, so the retry uploads it anew.
    private func verifyComposite(_ completed: HTTPResponse, key: String, partDigests: [[UInt8]]) async throws {
        let checksum = client.requests.checksum
        guard let element = checksum.elementName, let sent = checksum.composite(ofParts: partDigests),
            let stored = XMLText.first(element, in: String(decoding: completed.body, as: UTF8.self))
        else { return }
        // S3 writes the composite with its `-<parts>` suffix; accept the bare form too.
        let matches = stored.contains("-") ? stored == sent : stored == sent.prefix { $0 != "-" }
        guard !matches else { return }
        let mismatch = S3Error(
            operation: .completeMultipartUpload, bucket: client.bucket, key: key, failure: .checksumMismatch(sent: sent, stored: stored))
        do {
            try await removeObject(key)
        } catch {
            ledger.markUnverified(key)
            logger.error(
                "could not remove an object whose checksum does not match; it is removed before the next write of this key",
                metadata: ["s3.key": "\(key)", "error": "\(error)"])
        }
        throw mismatch
    }

    /// Aborts the upload, even when the delivery was cancelled (shutdown): the abort is its own
    /// task. Returns the abort's error, after keeping the upload for `takeAbandonedUploads`.
    private func abort(key: String, uploadID: String) async -> (any Error)? {
        let client = self.client
        let failure: (any Error)? = await Task { () async -> (any Error)? in
            do {
                _ = try await client.send(.abortMultipartUpload, key: key, maxAttempts: 3) { requests, credentials, date in
                    try requests.abortMultipartUpload(key: key, uploadID: uploadID, credentials: credentials, date: date)
                }
                return nil
            } catch let error as S3Error where error.code == "NoSuchUpload" {
                return nil
            } catch {
                return error
            }
        }.value
        if failure != nil { ledger.abandon(AbandonedUpload(key: key, uploadID: uploadID)) }
        return failure
    }

    private func logAbortFailure(key: String, uploadID: String, _ failure: any Error, cause: any Error) {
        logger.error(
            "could not abort a multipart upload; it is kept to be aborted again with the checkpoint, and its parts stay billed until then (or until a lifecycle rule AbortIncompleteMultipartUpload removes them)",
            metadata: ["s3.key": "\(key)", "s3.upload_id": "\(uploadID)", "error": "\(failure)", "cause": "\(cause)"])
    }

    private func logAlreadyThere(_ key: String) {
        logger.notice(
            "object already there (If-None-Match refused the write): an earlier attempt of this write landed; nothing more to do",
            metadata: ["s3.key": "\(key)"])
    }
}
