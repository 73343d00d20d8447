import FoundationEssentials

/// `KAFKA_COMPRESSION`: how librdkafka compresses each batch of messages, on the wire and in
/// the broker's log. Consumers decompress transparently.
public enum KafkaCompression: String, Sendable, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}

/// `KAFKA_SECURITY_PROTOCOL`, librdkafka's `security.protocol`.
public enum KafkaSecurityProtocol: String, Sendable, CaseIterable {
    case plaintext, ssl
    case saslPlaintext = "sasl_plaintext"
    case saslSSL = "sasl_ssl"

    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
}

/// `KAFKA_SASL_MECHANISM`. MSK's SASL/SCRAM is SCRAM-SHA-512.
public enum KafkaSASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

/// SASL credentials; present exactly when the protocol is `sasl_plaintext` or `sasl_ssl`.
public struct KafkaSASL: Sendable, Equatable {
    public var mechanism: KafkaSASLMechanism
    public var username: String
    public var password: Secret

    public init(mechanism: KafkaSASLMechanism, username: String, password: Secret) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}

/// The Kafka destination (`SINK=kafka`), built from the same environment dictionary as the rest
/// of `Config` and checked with it (exit 78 on a bad value).
public struct KafkaSettings: Sendable, Equatable {
    /// `host:port` entries of `KAFKA_BROKERS` (librdkafka's `bootstrap.servers`).
    public var brokers: [String]
    public var topic: String
    /// Where Firehose-style error records go (records that could not be made from a tweet).
    public var errorTopic: String
    public var compression: KafkaCompression
    /// How long librdkafka keeps trying to deliver a message (`message.timeout.ms`) before the
    /// delivery fails and `Delivery` retries the object.
    public var deliveryTimeoutSeconds: Int
    public var securityProtocol: KafkaSecurityProtocol
    public var sasl: KafkaSASL?
    /// Nil: the system's CA certificates (enough for MSK, whose certificates are public).
    public var sslCALocation: String?
    /// How long the start-up check waits for the cluster to describe the topics.
    public var startupTimeoutSeconds: Int

    public static let defaultCompression = KafkaCompression.lz4
    public static let defaultDeliveryTimeoutSeconds = 120
    public static let errorTopicSuffix = "-errors"

    public init(
        brokers: [String], topic: String, errorTopic: String? = nil, compression: KafkaCompression = defaultCompression,
        deliveryTimeoutSeconds: Int = defaultDeliveryTimeoutSeconds, securityProtocol: KafkaSecurityProtocol = .plaintext,
        sasl: KafkaSASL? = nil, sslCALocation: String? = nil, startupTimeoutSeconds: Int = 15
    ) {
        self.brokers = brokers
        self.topic = topic
        self.errorTopic = errorTopic ?? topic + Self.errorTopicSuffix
        self.compression = compression
        self.deliveryTimeoutSeconds = deliveryTimeoutSeconds
        self.securityProtocol = securityProtocol
        self.sasl = sasl
        self.sslCALocation = sslCALocation
        self.startupTimeoutSeconds = startupTimeoutSeconds
    }

    /// The effective settings for `check-config`, the password redacted; empty when Kafka is not the sink.
    static func summary(_ settings: KafkaSettings?) -> [(EnvironmentVariable, String)] {
        guard let s = settings else { return [] }
        let notUsed = "(not used: KAFKA_SECURITY_PROTOCOL is not sasl_*)"
        return [
            (.kafkaBrokers, s.brokers.joined(separator: ",")),
            (.kafkaTopic, s.topic),
            (.kafkaErrorTopic, s.errorTopic),
            (.kafkaCompression, s.compression.rawValue),
            (.kafkaDeliveryTimeoutSeconds, String(s.deliveryTimeoutSeconds)),
            (.kafkaSecurityProtocol, s.securityProtocol.rawValue),
            (.kafkaSASLMechanism, s.sasl?.mechanism.rawValue ?? notUsed),
            (.kafkaSASLUsername, s.sasl?.username ?? notUsed),
            (.kafkaSASLPassword, s.sasl == nil ? notUsed : "<redacted>"),
            (
                .kafkaSSLCALocation,
                s.sslCALocation ?? (s.securityProtocol.usesTLS ? "(not set: the system's CA certificates)" : "(not used)")
            ),
        ]
    }

    /// Kafka's topic naming rule: 1 to 249 of `a-z A-Z 0-9 . _ -`, and not `.` or `..`.
    static func isValidTopicName(_ name: String) -> Bool {
        (1...249).contains(name.utf8.count) && name != "." && name != ".."
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
            }
    }

    /// `host`, `host:port` or `[v6]:port`, with a port from 1 to 65535 when one is given.
    static func isValidBroker(_ entry: String) -> Bool {
        var host = Substring(entry)
        var port: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return false }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return false }
                port = rest.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        } else {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return false }
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
            let allowed = host.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0)
            }
            guard !host.isEmpty, allowed else { return false }
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number) else { return false }
        }
        return true
    }
}

extension EnvironmentReader {
    /// The Kafka settings when `selected` (`SINK=kafka`), where `KAFKA_BROKERS` and `KAFKA_TOPIC`
    /// are required; otherwise nil, and any `KAFKA_` variable set is warned about as ignored.
    mutating func kafkaSettings(selected: Bool) -> KafkaSettings? {
        guard selected else {
            let ignored = EnvironmentVariable.allCases.filter { $0.rawValue.hasPrefix("KAFKA_") && string($0) != nil }
            if !ignored.isEmpty {
                warnings.append("\(ignored.map(\.rawValue).joined(separator: ", ")) set but SINK is not kafka: ignored")
            }
            return nil
        }
        let brokers = kafkaBrokers()
        let topic = kafkaTopic(.kafkaTopic, required: true) ?? "tweets"
        let errorTopic = kafkaTopic(.kafkaErrorTopic, required: false)
        let defaultErrorTopic = topic + KafkaSettings.errorTopicSuffix
        if errorTopic == nil, !KafkaSettings.isValidTopicName(defaultErrorTopic) {
            fail(
                .kafkaErrorTopic, nil,
                "required when KAFKA_TOPIC is longer than 242 characters: \(defaultErrorTopic.count) is over Kafka's 249")
        }
        if let errorTopic, errorTopic == topic {
            fail(.kafkaErrorTopic, errorTopic, "must differ from KAFKA_TOPIC: error records are not tweets (default <KAFKA_TOPIC>-errors)")
        }
        let securityProtocol: KafkaSecurityProtocol = choice(.kafkaSecurityProtocol, default: .plaintext)
        if string(.compression)?.trimmingWhitespace().lowercased() == Config.Compression.gzip.rawValue {
            fail(
                .compression, string(.compression),
                "must be none with SINK=kafka: Kafka compresses messages itself, choose KAFKA_COMPRESSION (default lz4)")
        }
        let settings = KafkaSettings(
            brokers: brokers, topic: topic, errorTopic: errorTopic,
            compression: choice(.kafkaCompression, default: KafkaSettings.defaultCompression),
            deliveryTimeoutSeconds: integer(
                .kafkaDeliveryTimeoutSeconds, default: KafkaSettings.defaultDeliveryTimeoutSeconds, range: 10...3600),
            securityProtocol: securityProtocol, sasl: kafkaSASL(securityProtocol), sslCALocation: kafkaCALocation(securityProtocol))
        if securityProtocol == .saslPlaintext, settings.sasl?.mechanism == .plain {
            warnings.append(
                "KAFKA_SECURITY_PROTOCOL=sasl_plaintext with KAFKA_SASL_MECHANISM=PLAIN sends the password unencrypted: use sasl_ssl")
        }
        return settings
    }

    private mutating func kafkaBrokers() -> [String] {
        guard let raw = string(.kafkaBrokers) else {
            fail(
                .kafkaBrokers, nil,
                "required with SINK=kafka: the bootstrap brokers as host:port,host:port (MSK: the cluster's bootstrap string)")
            return []
        }
        let entries = raw.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if entries.contains(where: { $0.containsText("://") }) {
            fail(.kafkaBrokers, raw, "must be host:port entries without a scheme; choose TLS or SASL with KAFKA_SECURITY_PROTOCOL")
        } else if entries.isEmpty || !entries.allSatisfy(KafkaSettings.isValidBroker) {
            fail(
                .kafkaBrokers, raw, "must be a comma-separated list of host:port (port 1-65535), such as b-1.example:9094,b-2.example:9094")
        }
        return entries
    }

    private mutating func kafkaTopic(_ variable: EnvironmentVariable, required: Bool) -> String? {
        guard let raw = string(variable) else {
            if required { fail(variable, nil, "required with SINK=kafka: the topic the records go to; it must exist") }
            return nil
        }
        let value = raw.trimmingWhitespace()
        if !KafkaSettings.isValidTopicName(value) {
            fail(variable, raw, "must be a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-' (not '.' or '..')")
        }
        return value
    }

    private mutating func kafkaSASL(_ securityProtocol: KafkaSecurityProtocol) -> KafkaSASL? {
        let mechanismRaw = string(.kafkaSASLMechanism)
        let username = string(.kafkaSASLUsername)?.trimmingWhitespace()
        let password = string(.kafkaSASLPassword)?.trimmingLineBreaks()
        guard securityProtocol.usesSASL else {
            for (variable, value) in [
                (EnvironmentVariable.kafkaSASLMechanism, mechanismRaw), (.kafkaSASLUsername, username), (.kafkaSASLPassword, password),
            ]
            where value != nil {
                fail(
                    variable, value,
                    "is only used with KAFKA_SECURITY_PROTOCOL=sasl_ssl or sasl_plaintext (now \(securityProtocol.rawValue))")
            }
            return nil
        }
        var mechanism = KafkaSASLMechanism.scramSHA512
        if let mechanismRaw {
            let value = mechanismRaw.trimmingWhitespace().uppercased()
            if let chosen = KafkaSASLMechanism(rawValue: value) {
                mechanism = chosen
            } else {
                let names = KafkaSASLMechanism.allCases.map(\.rawValue).joined(separator: ", ")
                fail(.kafkaSASLMechanism, mechanismRaw, "must be one of: \(names) (default SCRAM-SHA-512, MSK's SASL/SCRAM)")
            }
        }
        let required = "required with KAFKA_SECURITY_PROTOCOL=\(securityProtocol.rawValue)"
        if username == nil { fail(.kafkaSASLUsername, nil, required + ": the SASL user (MSK: the username of the AmazonMSK_ secret)") }
        if password == nil { fail(.kafkaSASLPassword, nil, required + ": the SASL user's password") }
        return KafkaSASL(mechanism: mechanism, username: username ?? "", password: Secret(password ?? ""))
    }

    private mutating func kafkaCALocation(_ securityProtocol: KafkaSecurityProtocol) -> String? {
        guard let raw = string(.kafkaSSLCALocation) else { return nil }
        let value = raw.trimmingWhitespace()
        if !securityProtocol.usesTLS {
            fail(.kafkaSSLCALocation, raw, "is only used with KAFKA_SECURITY_PROTOCOL=ssl or sasl_ssl (now \(securityProtocol.rawValue))")
        }
        return value
    }
}
