/// An error librdkafka reported: its code's name (`_MSG_TIMED_OUT`, `TOPIC_AUTHORIZATION_FAILED`;
/// a leading `_` marks a client-side error) and its text. Never holds a secret.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32
    public var name: String
    public var reason: String
    /// The producer can no longer be used (its idempotence guarantee is broken); a new one is made.
    public var isFatal: Bool

    public init(code: Int32, name: String, reason: String, isFatal: Bool = false) {
        self.code = code
        self.name = name
        self.reason = reason
        self.isFatal = isFatal
    }

    public var description: String { "\(reason) (\(name))" }

    /// What the user can do about it, or nil when retrying is all there is.
    var advice: String? {
        switch name {
        case "_MSG_TIMED_OUT", "_TIMED_OUT", "_TRANSPORT", "_ALL_BROKERS_DOWN":
            "the brokers did not acknowledge in time: check KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL and the network path to every broker"
        case "TOPIC_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED":
            "grant the principal Describe and Write on the topics and IdempotentWrite on the cluster"
        case "UNKNOWN_TOPIC_OR_PART":
            "create the topic; tweet-ingest never creates topics"
        case "MSG_SIZE_TOO_LARGE", "_MSG_SIZE_TOO_LARGE":
            "a record is larger than the topic's max.message.bytes: raise it on the topic"
        case "_AUTHENTICATION", "SASL_AUTHENTICATION_FAILED":
            "check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM"
        case "_SSL":
            "check KAFKA_SSL_CA_LOCATION and that the brokers' port speaks TLS (MSK: 9094, SASL/SCRAM 9096)"
        default: nil
        }
    }
}

/// Some messages of an object were not acknowledged (acks=all). `deliver` throws it; `Delivery`
/// retries the object, and only these messages are sent again.
public struct KafkaDeliveryError: Error, Sendable, CustomStringConvertible {
    public var topic: String
    public var objectKey: String
    public var failed: Int
    public var total: Int
    /// The distinct errors the delivery reports carried, most frequent first.
    public var errors: [KafkaError]
    /// The last connection-level error the client reported, for context on timeouts.
    public var lastClientError: KafkaError?

    public var description: String {
        var text = "\(failed) of \(total) Kafka messages for topic \(topic) (object \(objectKey)) were not acknowledged: "
        text += errors.map(\.description).joined(separator: "; ")
        if let lastClientError, !errors.contains(lastClientError) { text += "; last client error: \(lastClientError)" }
        if let advice = (errors.compactMap(\.advice) + [lastClientError?.advice].compactMap { $0 }).first { text += ". To fix: \(advice)" }
        return text + ". The records stay buffered; unacknowledged messages are sent again, acknowledged ones are not"
    }
}

/// The Kafka destination failed its start-up check; the process exits before polling anything.
public struct KafkaStartupError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// librdkafka refused a setting (a bad value, an unreadable CA file...).
        case settingRejected(variable: EnvironmentVariable?, property: String, value: String?, detail: String)
        /// librdkafka could not make the client from otherwise valid settings (an unreadable CA file...).
        case clientCreationFailed(detail: String)
        case unreachable(KafkaError)
        case authenticationFailed(KafkaError)
        case topicMissing(variable: EnvironmentVariable, topic: String)
        case notAuthorized(variable: EnvironmentVariable, topic: String, KafkaError)
        case topicError(variable: EnvironmentVariable, topic: String, KafkaError)
    }

    public var reason: Reason
    public var brokers: [String]

    public var description: String {
        let cluster = "the Kafka cluster at KAFKA_BROKERS=\(brokers.joined(separator: ","))"
        switch reason {
        case .settingRejected(let variable, let property, let value, let detail):
            let setting = "\(variable?.rawValue ?? property)=\(value ?? "<redacted>")"
            return "librdkafka cannot use \(setting) (its property \(property)): \(detail)"
        case .clientCreationFailed(let detail):
            return "librdkafka could not create the Kafka producer: \(detail). Check KAFKA_SSL_CA_LOCATION (a readable PEM file) "
                + "and the other KAFKA_ settings"
        case .unreachable(let error):
            return "cannot reach \(cluster): \(error). Check the host names and ports (MSK: plaintext 9092, TLS 9094, SASL/SCRAM 9096), "
                + "KAFKA_SECURITY_PROTOCOL, and that security groups let this task in"
        case .authenticationFailed(let error):
            return "\(cluster) refused the SASL login: \(error). Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM "
                + "(MSK: SCRAM-SHA-512 with the secret associated to the cluster)"
        case .topicMissing(let variable, let topic):
            return "the topic \(topic) (\(variable.rawValue)) does not exist on \(cluster): create it, for example kafka-topics.sh "
                + "--create --topic \(topic) --partitions 6 --replication-factor 3; tweet-ingest never creates topics"
        case .notAuthorized(let variable, let topic, let error):
            return "not allowed to use the topic \(topic) (\(variable.rawValue)) on \(cluster): \(error). Grant the principal "
                + "Describe and Write on the topic and IdempotentWrite on the cluster"
        case .topicError(let variable, let topic, let error):
            return "\(cluster) reports an error for the topic \(topic) (\(variable.rawValue)): \(error)"
        }
    }

    /// Classifies a failed metadata request for one topic.
    static func classify(_ error: KafkaError, topic: String, variable: EnvironmentVariable, brokers: [String], lastClientError: KafkaError?)
        -> KafkaStartupError
    {
        let reason: Reason
        switch error.name {
        case "_TRANSPORT", "_TIMED_OUT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_SSL", "_AUTHENTICATION":
            let cause = lastClientError ?? error
            reason =
                cause.name == "_AUTHENTICATION" || cause.name == "SASL_AUTHENTICATION_FAILED"
                ? .authenticationFailed(cause) : .unreachable(cause)
        case "UNKNOWN_TOPIC_OR_PART", "_UNKNOWN_TOPIC": reason = .topicMissing(variable: variable, topic: topic)
        case "TOPIC_AUTHORIZATION_FAILED": reason = .notAuthorized(variable: variable, topic: topic, error)
        default: reason = .topicError(variable: variable, topic: topic, error)
        }
        return KafkaStartupError(reason: reason, brokers: brokers)
    }
}
