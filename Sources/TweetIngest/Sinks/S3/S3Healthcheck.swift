/// The start-up check: one ListObjectsV2 with `max-keys=0` proves the endpoint answers, the
/// credentials are valid, the bucket exists in this region and may be listed. Failing it stops
/// the process before anything is polled, with a message that says which of these is wrong.
public enum S3Healthcheck {
    /// Returns the credentials in use, for the start-up log line.
    @discardableResult
    public static func run(_ client: S3Client, region: String) async throws(S3HealthcheckError) -> ProvidedCredentials {
        let place = "s3://\(client.bucket) at \(client.requests.endpoint) (region \(region))"
        let credentials: ProvidedCredentials
        do {
            credentials = try await client.sender.credentials.current()
        } catch {
            throw S3HealthcheckError(place: place, problem: "\(error)")
        }
        do {
            _ = try await client.send(.listObjectsV2, key: nil, maxAttempts: 2) { requests, credentials, date in
                try requests.listObjects(credentials: credentials, date: date)
            }
            return credentials
        } catch let error as S3Error {
            throw S3HealthcheckError(place: place, problem: problem(error, bucket: client.bucket, region: region, credentials: credentials))
        } catch {
            throw S3HealthcheckError(place: place, problem: "\(error)")
        }
    }

    static func problem(_ error: S3Error, bucket: String, region: String, credentials: ProvidedCredentials) -> String {
        let who = "access key \(credentials.credentials.accessKeyId) from \(credentials.source)"
        if case .transport(_, let message) = error.failure {
            return "cannot connect (\(message)). Check AWS_ENDPOINT_URL_S3, AWS_REGION and the network path to S3 "
                + "(a private subnet needs a NAT gateway or an S3 VPC endpoint)"
        }
        var detail = ""
        if case .response(let response) = error.failure {
            detail = " (HTTP \(response.status) \(error.code ?? "")\(response.requestID.map { ", request id \($0)" } ?? ""))"
        }
        switch error.code ?? "" {
        case "NoSuchBucket", "NotFound":
            return "no such bucket\(detail): create the bucket \"\(bucket)\" or fix S3_BUCKET (and AWS_REGION / AWS_ENDPOINT_URL_S3)"
        case "AccessDenied", "AllAccessDisabled":
            return "access denied\(detail): \(who) may not list the bucket. Allow s3:ListBucket on arn:aws:s3:::\(bucket) and "
                + "s3:PutObject, s3:GetObject, s3:AbortMultipartUpload on arn:aws:s3:::\(bucket)/*"
        case "InvalidAccessKeyId":
            return "S3 does not know the \(who)\(detail): check the credentials and that they belong to this endpoint's account"
        case "SignatureDoesNotMatch":
            return "the secret access key is wrong for the \(who)\(detail): check AWS_SECRET_ACCESS_KEY or the profile"
        case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
            return "the session token of the \(who) is expired or invalid\(detail): refresh the temporary credentials"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            let actual = error.failure.bucketRegion.map { "region \($0)" } ?? "another region"
            let fix = error.failure.bucketRegion.map { "set AWS_REGION=\($0)" } ?? "set AWS_REGION to the bucket's region"
            return "wrong region\(detail): the bucket is in \(actual), not \(region); \(fix)"
        case "RequestTimeTooSkewed":
            return "the system clock is off by more than 15 minutes\(detail): synchronize it"
        default:
            return "\(error)"
        }
    }
}

extension S3Error.Failure {
    var bucketRegion: String? {
        if case .response(let response) = self { return response.bucketRegion }
        return nil
    }
}

public struct S3HealthcheckError: Error, Sendable, CustomStringConvertible {
    /// Bucket, endpoint and region the check used.
    public var place: String
    public var problem: String

    public var description: String { "S3 start-up check failed for \(place): \(problem)" }
}
