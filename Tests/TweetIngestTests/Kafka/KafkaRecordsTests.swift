import Foundation
import Testing

@testable import TweetIngest

struct KafkaRecordsTests {
    func keys(_ text: String, keyed: Bool = true) -> [String?] {
        KafkaRecords.split(Array(text.utf8), keyed: keyed).map { $0.key.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func everyFixtureRecordBecomesOneMessageKeyedByItsTweetID() throws {
        let objects = try KafkaFixtures.objects()
        for object in objects {
            let records = KafkaRecords.split(object.body, keyed: true)
            let lines = KafkaFixtures.lines(object)
            #expect(records.count == object.recordCount && records.count == lines.count)
            for (record, line) in zip(records, lines) {
                #expect(Array(object.body[record.value]) == line)
                #expect(record.key.map { String(decoding: $0, as: UTF8.self) } == KafkaFixtures.tweetID(line))
            }
        }
    }

    @Test func theValueIsTheLineWithoutItsNewlineAndEmptyLinesAreSkipped() {
        let body = Array("{\"id\":\"1\"}\n\n{\"id\":\"2\"}".utf8)
        let records = KafkaRecords.split(body, keyed: true)
        #expect(records.map(\.value) == [0..<10, 12..<22])
        #expect(KafkaRecords.split([], keyed: true).isEmpty)
    }

    @Test func theKeyIsTheTopLevelIDWhereverItIs() {
        #expect(keys(#"{"text":"hi","author":{"id":"u1"},"id":"42","ingest":{"id":"x"}}"#) == ["42"])
        #expect(keys(#"{"id":"1\u0032"}"#) == ["12"])
        #expect(keys(#"{"id" : "7" }"#) == ["7"])
    }

    @Test func aLineWithoutAStringIDIsSentWithoutAKey() {
        #expect(keys(#"{"text":"no id"}"# + "\n" + #"{"id":42}"# + "\n" + "not json\n" + #"{"id":""}"#) == [nil, nil, nil, nil])
    }

    @Test func errorRecordsAreNotKeyed() {
        #expect(keys(#"{"id":"1"}"#, keyed: false) == [nil])
    }
}

struct KafkaAckLedgerTests {
    @Test func aRetrySendsOnlyWhatWasNotAcknowledged() {
        var ledger = KafkaAckLedger()
        #expect(ledger.unacknowledged(key: "a", total: 5) == [0, 1, 2, 3, 4])
        let partly = ledger.acknowledge([0, 2, 3], key: "a")
        #expect(!partly)
        #expect(ledger.unacknowledged(key: "a", total: 5) == [1, 4])
        let completely = ledger.acknowledge([1, 4], key: "a")
        #expect(completely)
        #expect(ledger.unacknowledged(key: "a", total: 5) == [])
    }

    @Test func aDifferentRecordCountStartsOver() {
        var ledger = KafkaAckLedger()
        _ = ledger.unacknowledged(key: "a", total: 2)
        ledger.acknowledge([0, 1], key: "a")
        #expect(ledger.unacknowledged(key: "a", total: 3) == [0, 1, 2])
    }

    @Test func onlyTheLatestObjectsAreRemembered() {
        var ledger = KafkaAckLedger(capacity: 2)
        for key in ["a", "b", "c"] {
            _ = ledger.unacknowledged(key: key, total: 1)
            ledger.acknowledge([0], key: key)
        }
        #expect(ledger.unacknowledged(key: "a", total: 1) == [0])
        #expect(ledger.unacknowledged(key: "c", total: 1) == [])
    }
}

struct KafkaProducerSettingsTests {
    @Test func theDeliveryGuaranteeIsFixed() {
        let properties = KafkaSettings(brokers: ["a:9092", "b:9092"], topic: "t").librdkafkaProperties(clientID: "tweet-ingest-s")
        let values = Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0.value) })
        #expect(values["bootstrap.servers"] == "a:9092,b:9092")
        #expect(values["acks"] == "all" && values["enable.idempotence"] == "true")
        #expect(values["allow.auto.create.topics"] == "false" && values["partitioner"] == "murmur2_random")
        #expect(values["compression.type"] == "lz4" && values["message.timeout.ms"] == "120000")
        #expect(values["security.protocol"] == "plaintext" && values["sasl.password"] == nil)
    }

    @Test func thePasswordIsMarkedSecretAndNeverShown() throws {
        let settings = KafkaSettings(
            brokers: ["b:9096"], topic: "t", securityProtocol: .saslSSL,
            sasl: KafkaSASL(mechanism: .scramSHA512, username: "u", password: Secret("hunter2")), sslCALocation: "/ca.pem")
        let password = try #require(settings.librdkafkaProperties(clientID: "c").first { $0.name == "sasl.password" })
        #expect(password.isSecret && password.shownValue == nil && password.variable == .kafkaSASLPassword)
        let error = KafkaStartupError(
            reason: .settingRejected(variable: .kafkaSASLPassword, property: "sasl.password", value: password.shownValue, detail: "bad"),
            brokers: ["b:9096"])
        #expect(error.description == "librdkafka cannot use KAFKA_SASL_PASSWORD=<redacted> (its property sasl.password): bad")
    }

    @Test func aDeliveryErrorSaysWhatFailedAndWhatToDo() {
        let timedOut = KafkaError(code: -192, name: "_MSG_TIMED_OUT", reason: "Local: Message timed out")
        let refused = KafkaError(code: -195, name: "_TRANSPORT", reason: "127.0.0.1:9092/1: Connect failed: Connection refused")
        let error = KafkaDeliveryError(topic: "tweets", objectKey: "k", failed: 3, total: 10, errors: [timedOut], lastClientError: refused)
        #expect(
            error.description.hasPrefix(
                "3 of 10 Kafka messages for topic tweets (object k) were not acknowledged: Local: Message timed out"))
        #expect(error.description.contains("last client error: 127.0.0.1:9092/1: Connect failed"))
        #expect(error.description.contains("To fix: the brokers did not acknowledge in time"))
    }

    @Test func distinctErrorsAreListedMostFrequentFirst() {
        let a = KafkaError(code: 1, name: "A", reason: "a")
        let b = KafkaError(code: 2, name: "B", reason: "b")
        #expect(KafkaSink.distinct([a, b, b, a, b]) == [b, a])
        #expect(KafkaSink.distinct([a, b]) == [a, b])
    }

    @Test func aFailedLoginIsToldApartFromAnUnreachableCluster() {
        let timeout = KafkaError(code: -185, name: "_TIMED_OUT", reason: "Local: Timed out")
        let login = KafkaError(code: -169, name: "_AUTHENTICATION", reason: "SASL SCRAM-SHA-512 mechanism handshake failed")
        let failed = KafkaStartupError.classify(timeout, topic: "t", variable: .kafkaTopic, brokers: ["b:9096"], lastClientError: login)
        #expect(failed.reason == .authenticationFailed(login))
        #expect(failed.description.contains("refused the SASL login"))
        let unreachable = KafkaStartupError.classify(timeout, topic: "t", variable: .kafkaTopic, brokers: ["b:9096"], lastClientError: nil)
        #expect(unreachable.reason == .unreachable(timeout))
    }
}
