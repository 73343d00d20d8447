import FoundationEssentials

/// Builds signed Firehose requests (AWS JSON 1.1: `POST /`, the operation in `X-Amz-Target`,
/// a JSON body); pure (credentials and time are arguments), so every byte can be checked in
/// unit tests.
public struct FirehoseRequestBuilder: Sendable {
    public let streamName: String
    public let endpoint: S3Endpoint
    public let signer: SigV4Signer

    public static let contentType = "application/x-amz-json-1.1"

    /// `endpoint` nil means AWS's regional endpoint, `https://firehose.<region>.amazonaws.com`.
    public init(streamName: String, region: String, endpoint: S3Endpoint? = nil) throws(SigV4Error) {
        self.streamName = streamName
        self.endpoint = endpoint ?? Self.awsEndpoint(region: region)
        signer = try SigV4Signer(region: region, service: "firehose")
    }

    /// AWS's regional endpoint (`.com.cn` in China).
    public static func awsEndpoint(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "firehose.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : ""))
    }

    /// Where requests go, for messages.
    public var url: String { "\(endpoint.scheme)://\(endpoint.authority)\(endpoint.basePath)/" }

    /// PutRecordBatch with `records` as they are (each one Firehose record, base64 in the body).
    public func putRecordBatch<Records: Collection>(records: Records, credentials: AWSCredentials, date: Date) throws -> HTTPRequest
    where Records.Element: Collection, Records.Element.Element == UInt8 {
        try request(
            .putRecordBatch, body: Self.putRecordBatchBody(streamName: streamName, records: records), credentials: credentials, date: date)
    }

    public func describeDeliveryStream(credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        var body: [UInt8] = []
        JSONWriting.appendLiteral("{\"DeliveryStreamName\":", to: &body)
        JSONWriting.appendString(streamName, to: &body)
        body.append(UInt8(ascii: "}"))
        return try request(.describeDeliveryStream, body: body, credentials: credentials, date: date)
    }

    /// `{"DeliveryStreamName":"...","Records":[{"Data":"<base64>"},...]}`.
    public static func putRecordBatchBody<Records: Collection>(streamName: String, records: Records) -> [UInt8]
    where Records.Element: Collection, Records.Element.Element == UInt8 {
        let dataBytes = records.reduce(0) { $0 + $1.count }
        var body: [UInt8] = []
        body.reserveCapacity(64 + streamName.utf8.count + dataBytes * 4 / 3 + records.count * 16)
        JSONWriting.appendLiteral("{\"DeliveryStreamName\":", to: &body)
        JSONWriting.appendString(streamName, to: &body)
        JSONWriting.appendLiteral(",\"Records\":[", to: &body)
        var first = true
        for record in records {
            if !first { body.append(UInt8(ascii: ",")) }
            first = false
            JSONWriting.appendLiteral("{\"Data\":\"", to: &body)
            body.append(contentsOf: Data(record).base64EncodedData())
            JSONWriting.appendLiteral("\"}", to: &body)
        }
        JSONWriting.appendLiteral("]}", to: &body)
        return body
    }

    private func request(_ operation: FirehoseOperation, body: [UInt8], credentials: AWSCredentials, date: Date) throws -> HTTPRequest {
        let path = endpoint.basePath + "/"
        let headers = [
            ("host", endpoint.authority), ("content-type", Self.contentType), ("x-amz-target", operation.target),
        ]
        let signed = try signer.sign(
            method: "POST", path: path, headers: headers, payloadHash: Crypto.hex(Crypto.sha256(body)), credentials: credentials,
            date: date)
        return HTTPRequest(
            method: "POST", url: "\(endpoint.scheme)://\(endpoint.authority)\(path)",
            headers: signed.headers.map { (name: $0.0, value: $0.1) },
            body: body, timeoutSeconds: S3RequestBuilder.timeoutSeconds(bodyBytes: body.count))
    }
}
