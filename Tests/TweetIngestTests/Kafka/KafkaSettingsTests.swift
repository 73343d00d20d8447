import Testing

@testable import TweetIngest

struct KafkaSettingsTests {
    static let minimal = ["KAFKA_BROKERS": "b-1.example:9092,b-2.example:9092", "KAFKA_TOPIC": "tweets"]

    func read(_ environment: [String: String], selected: Bool = true) -> (
        settings: KafkaSettings?, problems: [ConfigProblem], warnings: [String]
    ) {
        var reader = EnvironmentReader(environment)
        let settings = reader.kafkaSettings(selected: selected)
        return (settings, reader.problems, reader.warnings)
    }

    func problem(_ variable: String, in environment: [String: String]) -> ConfigProblem? {
        read(environment).problems.first { $0.variable == variable }
    }

    @Test func minimalSettingsGetSafeDefaults() throws {
        let (settings, problems, warnings) = read(Self.minimal)
        #expect(problems.isEmpty && warnings.isEmpty)
        let s = try #require(settings)
        #expect(s.brokers == ["b-1.example:9092", "b-2.example:9092"])
        #expect(s.topic == "tweets" && s.errorTopic == "tweets-errors")
        #expect(s.compression == .lz4 && s.deliveryTimeoutSeconds == 120)
        #expect(s.securityProtocol == .plaintext && s.sasl == nil && s.sslCALocation == nil)
    }

    @Test func brokersAndTopicAreRequiredWhenKafkaIsTheSink() {
        let problems = read([:]).problems
        #expect(problems.map(\.variable) == ["KAFKA_BROKERS", "KAFKA_TOPIC"])
        #expect(problems.allSatisfy { $0.value == nil && $0.allowed.hasPrefix("required with SINK=kafka") })
    }

    @Test func kafkaVariablesAreIgnoredWithAWarningWhenAnotherSinkIsChosen() {
        let (settings, problems, warnings) = read(["KAFKA_TOPIC": "tweets", "KAFKA_COMPRESSION": "bogus"], selected: false)
        #expect(settings == nil && problems.isEmpty)
        #expect(warnings == ["KAFKA_TOPIC, KAFKA_COMPRESSION set but SINK is not kafka: ignored"])
    }

    @Test(arguments: ["localhost", "127.0.0.1:9092", "[::1]:9092", "b-1.msk.eu-west-1.amazonaws.com:9096, b-2.msk:9096"])
    func acceptsBrokerLists(_ brokers: String) {
        #expect(read(Self.minimal.merging(["KAFKA_BROKERS": brokers]) { $1 }).problems.isEmpty)
    }

    @Test(arguments: ["b:0", "b:65536", "b:port", "a:b:c", ",", "bad host:9092", "[::1"])
    func rejectsMalformedBrokers(_ brokers: String) throws {
        let found = try #require(problem("KAFKA_BROKERS", in: Self.minimal.merging(["KAFKA_BROKERS": brokers]) { $1 }))
        #expect(found.value == brokers && found.allowed.contains("host:port"))
    }

    @Test func aBrokerURLIsRefusedWithAPointerToTheSecurityProtocol() throws {
        let found = try #require(problem("KAFKA_BROKERS", in: Self.minimal.merging(["KAFKA_BROKERS": "SSL://b:9094"]) { $1 }))
        #expect(found.allowed.contains("without a scheme") && found.allowed.contains("KAFKA_SECURITY_PROTOCOL"))
    }

    @Test(arguments: ["my topic", ".", "..", String(repeating: "t", count: 250), "tweets/2026"])
    func rejectsInvalidTopicNames(_ topic: String) throws {
        let found = try #require(problem("KAFKA_TOPIC", in: Self.minimal.merging(["KAFKA_TOPIC": topic]) { $1 }))
        #expect(found.allowed.contains("1 to 249"))
    }

    @Test func theErrorTopicMustDifferFromTheTopic() throws {
        let found = try #require(problem("KAFKA_ERROR_TOPIC", in: Self.minimal.merging(["KAFKA_ERROR_TOPIC": "tweets"]) { $1 }))
        #expect(found.allowed.contains("must differ from KAFKA_TOPIC"))
        #expect(read(Self.minimal.merging(["KAFKA_ERROR_TOPIC": "tweets.dlq"]) { $1 }).settings?.errorTopic == "tweets.dlq")
    }

    @Test func aTopicTooLongForTheDefaultErrorTopicNeedsOne() throws {
        let found = try #require(
            problem("KAFKA_ERROR_TOPIC", in: Self.minimal.merging(["KAFKA_TOPIC": String(repeating: "t", count: 245)]) { $1 }))
        #expect(found.value == nil && found.allowed.contains("249"))
    }

    @Test func compressionChoicesAreListed() throws {
        #expect(read(Self.minimal.merging(["KAFKA_COMPRESSION": "ZSTD"]) { $1 }).settings?.compression == .zstd)
        let found = try #require(problem("KAFKA_COMPRESSION", in: Self.minimal.merging(["KAFKA_COMPRESSION": "brotli"]) { $1 }))
        #expect(found.allowed == "must be one of: none, gzip, snappy, lz4, zstd (default lz4)")
    }

    @Test func objectGzipIsRefusedBecauseKafkaCompressesMessages() throws {
        let found = try #require(problem("COMPRESSION", in: Self.minimal.merging(["COMPRESSION": "gzip"]) { $1 }))
        #expect(found.allowed.contains("KAFKA_COMPRESSION"))
    }

    @Test func deliveryTimeoutIsBounded() throws {
        let found = try #require(
            problem("KAFKA_DELIVERY_TIMEOUT_SECONDS", in: Self.minimal.merging(["KAFKA_DELIVERY_TIMEOUT_SECONDS": "5"]) { $1 }))
        #expect(found.allowed.contains("from 10 to 3600"))
    }

    @Test func saslSSLForMSKDefaultsToSCRAMSHA512() throws {
        let environment = Self.minimal.merging([
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "ingest", "KAFKA_SASL_PASSWORD": "s3cret\n",
        ]) { $1 }
        let (settings, problems, _) = read(environment)
        #expect(problems.isEmpty)
        let sasl = try #require(settings?.sasl)
        #expect(settings?.securityProtocol == .saslSSL)
        #expect(sasl == KafkaSASL(mechanism: .scramSHA512, username: "ingest", password: Secret("s3cret")))
    }

    @Test func saslNeedsAUserAndAPassword() {
        let problems = read(Self.minimal.merging(["KAFKA_SECURITY_PROTOCOL": "sasl_ssl"]) { $1 }).problems
        #expect(problems.map(\.variable) == ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
        #expect(problems.allSatisfy { $0.allowed.contains("required with KAFKA_SECURITY_PROTOCOL=sasl_ssl") })
    }

    @Test func saslMechanismIsCaseInsensitiveAndChecked() throws {
        let base = Self.minimal.merging([
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p",
        ]) { $1 }
        #expect(read(base.merging(["KAFKA_SASL_MECHANISM": "scram-sha-256"]) { $1 }).settings?.sasl?.mechanism == .scramSHA256)
        let found = try #require(problem("KAFKA_SASL_MECHANISM", in: base.merging(["KAFKA_SASL_MECHANISM": "GSSAPI"]) { $1 }))
        #expect(found.allowed.contains("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"))
    }

    @Test func saslSettingsWithoutASASLProtocolAreErrorsAndThePasswordIsNeverShown() {
        let problems = read(Self.minimal.merging(["KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "hunter2"]) { $1 }).problems
        #expect(problems.map(\.variable) == ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
        #expect(problems.last?.value == "<redacted>")
        #expect(!problems.map(\.description).joined().contains("hunter2"))
    }

    @Test func plainPasswordsOverPlaintextAreWarnedAbout() {
        let environment = Self.minimal.merging([
            "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u",
            "KAFKA_SASL_PASSWORD": "p",
        ]) { $1 }
        #expect(read(environment).warnings.contains { $0.contains("sends the password unencrypted") })
    }

    @Test func theCALocationNeedsTLS() throws {
        let found = try #require(problem("KAFKA_SSL_CA_LOCATION", in: Self.minimal.merging(["KAFKA_SSL_CA_LOCATION": "/ca.pem"]) { $1 }))
        #expect(found.allowed.contains("ssl or sasl_ssl"))
        let tls = read(Self.minimal.merging(["KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_CA_LOCATION": "/ca.pem"]) { $1 })
        #expect(tls.problems.isEmpty && tls.settings?.sslCALocation == "/ca.pem")
    }

    @Test func summaryRedactsThePassword() {
        let settings = KafkaSettings(
            brokers: ["b:9096"], topic: "tweets", securityProtocol: .saslSSL,
            sasl: KafkaSASL(mechanism: .scramSHA512, username: "u", password: Secret("hunter2")))
        let lines = KafkaSettings.summary(settings).map { "\($0.0.rawValue)=\($0.1)" }
        #expect(lines.contains("KAFKA_SASL_PASSWORD=<redacted>") && lines.contains("KAFKA_SASL_USERNAME=u"))
        #expect(!lines.joined().contains("hunter2"))
        #expect(KafkaSettings.summary(nil).isEmpty)
    }

    @Test func aMistypedKafkaVariableIsWarnedAbout() throws {
        let config = try Config(environment: ["KAFKA_TOPCI": "tweets"])
        #expect(config.warnings.contains("KAFKA_TOPCI is not a tweet-ingest variable and is ignored (a typo?)"))
        #expect(EnvironmentVariable.kafkaSASLPassword.isSecret)
    }
}
