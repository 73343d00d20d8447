/// The start-up check: one DescribeDeliveryStream proves the endpoint answers, the credentials
/// are valid, the stream exists in this region, is `ACTIVE` and takes Direct PUT records.
/// Failing it stops the process before anything is polled, with a message that says which of
/// these is wrong.
public enum FirehoseHealthcheck {
    /// Returns the credentials in use and the stream's description, for the start-up log line.
    public static func run(_ client: FirehoseClient, region: String) async throws(FirehoseHealthcheckError) -> (
        credentials: ProvidedCredentials, stream: DeliveryStreamDescription
    ) {
        let place = "delivery stream \"\(client.streamName)\" at \(client.requests.url) (region \(region))"
        let credentials: ProvidedCredentials
        do {
            credentials = try await client.sender.credentials.current()
        } catch {
            throw FirehoseHealthcheckError(place: place, problem: "\(error)")
        }
        let response: HTTPResponse
        do {
            response = try await client.send(.describeDeliveryStream, maxAttempts: 2) { requests, credentials, date in
                try requests.describeDeliveryStream(credentials: credentials, date: date)
            }
        } catch let error as FirehoseError {
            throw FirehoseHealthcheckError(
                place: place, problem: problem(error, stream: client.streamName, region: region, credentials: credentials))
        } catch {
            throw FirehoseHealthcheckError(place: place, problem: "\(error)")
        }
        guard let stream = DeliveryStreamDescription.decode(response.body) else {
            throw FirehoseHealthcheckError(
                place: place,
                problem: "the answer is not a DescribeDeliveryStream result; check AWS_ENDPOINT_URL_FIREHOSE points at Firehose")
        }
        if let problem = problem(stream) { throw FirehoseHealthcheckError(place: place, problem: problem) }
        return (credentials, stream)
    }

    /// What keeps a described stream from taking our records, if anything.
    static func problem(_ stream: DeliveryStreamDescription) -> String? {
        switch stream.status {
        case "ACTIVE": break
        case "CREATING": return "the stream is still being created (CREATING): start tweet-ingest again once it is ACTIVE"
        case "DELETING": return "the stream is being deleted (DELETING): create it again or fix FIREHOSE_STREAM_NAME"
        default:
            return "the stream is \(stream.status) and cannot take records: delete it and create it again (see its FailureDescription)"
        }
        if let type = stream.type, type != "DirectPut" {
            return "the stream's source is \(type), so it does not take PutRecordBatch: use a stream with the Direct PUT source"
        }
        return nil
    }

    static func problem(_ error: FirehoseError, stream: String, region: String, credentials: ProvidedCredentials) -> String {
        let who = "access key \(credentials.credentials.accessKeyId) from \(credentials.source)"
        if case .transport(_, let message) = error.failure {
            return "cannot connect (\(message)). Check AWS_ENDPOINT_URL_FIREHOSE, AWS_REGION and the network path to Firehose "
                + "(a private subnet needs a NAT gateway or a Firehose VPC interface endpoint)"
        }
        var detail = ""
        if case .response(let response) = error.failure {
            detail =
                " (HTTP \(response.status) \(error.code ?? "")\(response.message.map { ": \($0)" } ?? "")"
                + "\(response.requestID.map { ", request id \($0)" } ?? ""))"
        }
        let arn = "arn:aws:firehose:\(region):<account>:deliverystream/\(stream)"
        switch error.code ?? "" {
        case "ResourceNotFoundException":
            return "no such delivery stream\(detail): create a Direct PUT stream \"\(stream)\" in \(region) or fix FIREHOSE_STREAM_NAME "
                + "(and AWS_REGION / AWS_ENDPOINT_URL_FIREHOSE)"
        case "AccessDeniedException", "AccessDenied":
            return "access denied\(detail): \(who) may not describe the stream. Allow firehose:DescribeDeliveryStream and "
                + "firehose:PutRecordBatch on \(arn)"
        case "UnrecognizedClientException", "InvalidClientTokenId":
            return "Firehose does not know the \(who)\(detail): check the credentials and that they belong to this endpoint's account"
        case "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature":
            return "the secret access key is wrong for the \(who)\(detail): check AWS_SECRET_ACCESS_KEY or the profile"
        case "ExpiredTokenException", "ExpiredToken", "RequestExpired":
            return "the session token of the \(who) is expired or invalid\(detail): refresh the temporary credentials"
        default:
            return "\(error)"
        }
    }
}

public struct FirehoseHealthcheckError: Error, Sendable, CustomStringConvertible {
    /// Stream, endpoint and region the check used.
    public var place: String
    public var problem: String

    public var description: String { "Firehose start-up check failed for \(place): \(problem)" }
}
