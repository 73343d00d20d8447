import FoundationEssentials

/// What start-up recovery asks of the bucket (see `RecoverableSink`).
extension S3Sink {
    /// HeadObject: a 404 is false; any other failure (403, a missing bucket) is thrown.
    public func objectExists(_ key: String) async throws -> Bool {
        do {
            _ = try await client.send(.headObject, key: key) { requests, credentials, date in
                try requests.headObject(key: key, credentials: credentials, date: date)
            }
            return true
        } catch let error as S3Error where error.status == 404 && error.code != "NoSuchBucket" {
            return false
        }
    }

    /// DeleteObject; S3 answers 204 for a key that does not exist, some S3-compatible servers
    /// 404 NoSuchKey: neither is an error.
    public func removeObject(_ key: String) async throws {
        do {
            _ = try await client.send(.deleteObject, key: key) { requests, credentials, date in
                try requests.deleteObject(key: key, credentials: credentials, date: date)
            }
        } catch let error as S3Error where error.code == "NoSuchKey" {
            return
        }
    }

    /// Lists the uploads with `key` as prefix page by page, aborting those whose key is exactly
    /// `key`. S3 lists by key, then by start time, so once a truncated page continues at another
    /// key, every upload of `key` has been seen.
    public func abortUnfinishedUploads(key: String) async throws -> Int {
        var aborted = 0
        var marker: (keyMarker: String, uploadIDMarker: String?)?
        while true {
            let from = marker
            let response = try await client.send(.listMultipartUploads, key: key) { requests, credentials, date in
                try requests.listMultipartUploads(
                    prefix: key, keyMarker: from?.keyMarker, uploadIDMarker: from?.uploadIDMarker, credentials: credentials, date: date)
            }
            guard let page = S3UploadListing(parsing: String(decoding: response.body, as: UTF8.self)) else {
                throw S3Error(
                    operation: .listMultipartUploads, bucket: client.bucket, key: key,
                    failure: .malformedResponse("the answer is not a ListMultipartUploadsResult with a marker to continue from"))
            }
            for upload in page.uploads where upload.key == key {
                try await abortUpload(upload)
                aborted += 1
            }
            guard let next = page.next, next.keyMarker == key else { break }
            if let from, from.keyMarker == next.keyMarker, from.uploadIDMarker == next.uploadIDMarker {
                throw S3Error(
                    operation: .listMultipartUploads, bucket: client.bucket, key: key,
                    failure: .malformedResponse("a truncated listing names the page it came from as the next one"))
            }
            marker = next
        }
        if aborted > 0 {
            logger.notice("aborted unfinished multipart uploads", metadata: ["s3.key": "\(key)", "s3.uploads_aborted": "\(aborted)"])
        }
        return aborted
    }

    public func takeAbandonedUploads() -> [AbandonedUpload] { ledger.takeAbandoned() }

    /// AbortMultipartUpload; NoSuchUpload (already aborted or completed) counts as done.
    public func abortUpload(_ upload: AbandonedUpload) async throws {
        do {
            _ = try await client.send(.abortMultipartUpload, key: upload.key) { requests, credentials, date in
                try requests.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID, credentials: credentials, date: date)
            }
        } catch let error as S3Error where error.code == "NoSuchUpload" {
            return
        }
    }
}
