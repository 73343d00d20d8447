/// One librdkafka configuration property, with the variable it came from for error messages.
struct KafkaProperty: Sendable, Equatable {
    var name: String
    var value: String
    var variable: EnvironmentVariable?
    var isSecret = false

    /// The value as it may be shown: never a secret.
    var shownValue: String? { isSecret ? nil : value }
}

extension KafkaSettings {
    /// The producer's librdkafka configuration (CONFIGURATION.md names).
    ///
    /// The fixed part is the delivery guarantee: `acks=all` with the idempotent producer, so a
    /// message librdkafka retries is written once per producer session and a delivery report
    /// means every in-sync replica has it. Topics are never auto-created (a typo in KAFKA_TOPIC
    /// fails the start-up check instead of making a topic), and keys are hashed with murmur2 like
    /// the Java client, so a tweet id lands in the same partition whichever client writes it.
    func librdkafkaProperties(clientID: String) -> [KafkaProperty] {
        var properties = [
            KafkaProperty(name: "bootstrap.servers", value: brokers.joined(separator: ","), variable: .kafkaBrokers),
            KafkaProperty(name: "client.id", value: clientID),
            KafkaProperty(name: "acks", value: "all"),
            KafkaProperty(name: "enable.idempotence", value: "true"),
            KafkaProperty(name: "allow.auto.create.topics", value: "false"),
            KafkaProperty(name: "partitioner", value: "murmur2_random"),
            KafkaProperty(name: "compression.type", value: compression.rawValue, variable: .kafkaCompression),
            KafkaProperty(name: "message.timeout.ms", value: String(deliveryTimeoutSeconds * 1000), variable: .kafkaDeliveryTimeoutSeconds),
            KafkaProperty(name: "security.protocol", value: securityProtocol.rawValue, variable: .kafkaSecurityProtocol),
        ]
        if let sasl {
            properties += [
                KafkaProperty(name: "sasl.mechanism", value: sasl.mechanism.rawValue, variable: .kafkaSASLMechanism),
                KafkaProperty(name: "sasl.username", value: sasl.username, variable: .kafkaSASLUsername),
                KafkaProperty(name: "sasl.password", value: sasl.password.value, variable: .kafkaSASLPassword, isSecret: true),
            ]
        }
        if let sslCALocation {
            properties.append(KafkaProperty(name: "ssl.ca.location", value: sslCALocation, variable: .kafkaSSLCALocation))
        }
        return properties
    }

    /// Where objects go, for log lines: `kafka://first-broker/topic`.
    var destination: String { "kafka://\(brokers.first ?? "")/\(topic)" }
}
