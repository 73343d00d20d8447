/// Every metric the daemon emits, declared once. The raw value is the CloudWatch metric name;
/// Prometheus names are derived (`tweet_ingest_` + snake case).
public enum MetricName: String, CaseIterable, Sendable {
    case tweetsFetched = "TweetsFetched"
    case recordsDelivered = "RecordsDelivered"
    case errorRecordsDelivered = "ErrorRecordsDelivered"
    case objectsDelivered = "ObjectsDelivered"
    case bytesDelivered = "BytesDelivered"
    case deliveryErrors = "DeliveryErrors"
    /// Dimension `Status`: the HTTP status, or `transport` when no answer came.
    case apiRequests = "ApiRequests"
    case apiAuthErrors = "ApiAuthErrors"
    case rateLimitWaits = "RateLimitWaits"
    case postsRead = "PostsRead"
    case usersRead = "UsersRead"
    case usageCapPauses = "UsageCapPauses"
    case budgetPauses = "BudgetPauses"
    case retries = "Retries"
    case bufferFillBytes = "BufferFillBytes"
    /// Age of the oldest record not yet delivered (Firehose's DataFreshness).
    case dataFreshnessSeconds = "DataFreshnessSeconds"
    /// Posts the X project has read this billing cycle, and its cap (GET /2/usage/tweets).
    case projectUsage = "ProjectUsage", projectCap = "ProjectCap"

    public enum Kind: Sendable { case counter, gauge }

    public var kind: Kind {
        switch self {
        case .bufferFillBytes, .dataFreshnessSeconds, .projectUsage, .projectCap: .gauge
        default: .counter
        }
    }

    /// CloudWatch unit.
    public var unit: String {
        switch self {
        case .bytesDelivered, .bufferFillBytes: "Bytes"
        case .dataFreshnessSeconds: "Seconds"
        default: "Count"
        }
    }

    public var prometheusName: String {
        var name = "tweet_ingest"
        for character in rawValue {
            if character.isUppercase { name += "_" }
            name += character.lowercased()
        }
        return name + (kind == .counter ? "_total" : "")
    }
}
