import Logging
import Synchronization

/// Delivers objects to a Kafka topic: one message per record, the record's line as the value and
/// the tweet id as the key.
///
/// `deliver` returns only when the brokers acknowledged every message of the object (acks=all),
/// so `Delivery` saves the checkpoint only once everything before it is in Kafka. When a delivery
/// report fails, `deliver` throws; `Delivery` retries the object under the same key and only the
/// messages not yet acknowledged are sent again. Error records go to `errorTopic`, without a key.
public final class KafkaSink: Sink {
    public let settings: KafkaSettings
    private let clientID: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var producer: KafkaProducer
        var ledger = KafkaAckLedger()
        /// Topics whose last delivery failed: their metadata is refreshed before the retry.
        var failedTopics: Set<String> = []
    }

    /// Creates the producer; it connects lazily. `connect` also runs the start-up check.
    public init(settings: KafkaSettings, clientID: String = "tweet-ingest", logger: Logger) throws(KafkaStartupError) {
        self.settings = settings
        self.clientID = clientID
        self.logger = logger
        state = Mutex(State(producer: try KafkaProducer(properties: settings.librdkafkaProperties(clientID: clientID), logger: logger)))
    }

    /// A sink whose cluster answered and whose topics exist, or the reason why not.
    public static func connect(_ settings: KafkaSettings, streamName: String, logger: Logger) async throws(KafkaStartupError) -> KafkaSink {
        let sink = try KafkaSink(settings: settings, clientID: "tweet-ingest-" + streamName, logger: logger)
        try await sink.checkTopics()
        return sink
    }

    public var destination: String { settings.destination }

    /// The start-up check: one metadata request per topic, each waiting at most
    /// `startupTimeoutSeconds`. Both the topic and the error topic must exist.
    public func checkTopics() async throws(KafkaStartupError) {
        let producer = state.withLock { $0.producer }
        for (topic, variable) in [(settings.topic, EnvironmentVariable.kafkaTopic), (settings.errorTopic, .kafkaErrorTopic)] {
            switch await producer.partitionCount(of: topic, timeoutSeconds: settings.startupTimeoutSeconds) {
            case .success(let partitions):
                logger.info("Kafka topic ready", metadata: ["kafka.topic": "\(topic)", "kafka.partitions": "\(partitions)"])
            case .failure(let error):
                throw KafkaStartupError.classify(
                    error, topic: topic, variable: variable, brokers: settings.brokers, lastClientError: producer.lastClientError)
            }
        }
    }

    public func deliver(_ object: DeliveryObject) async throws {
        let body = object.contentEncoding == "gzip" ? try Gzip.decompress(object.body) : object.body
        let topic = object.isErrorOutput ? settings.errorTopic : settings.topic
        let records = KafkaRecords.split(body, keyed: !object.isErrorOutput)
        let (producer, pending, failedBefore) = state.withLock {
            ($0.producer, $0.ledger.unacknowledged(key: object.key, total: records.count), $0.failedTopics.remove(topic) != nil)
        }
        guard !pending.isEmpty else { return }
        if failedBefore {
            // librdkafka keeps a permanent topic error (not authorized, unknown topic) until its next
            // metadata refresh, 5 minutes away; ask now so a fixed cause is seen by this retry.
            _ = await producer.partitionCount(of: topic, timeoutSeconds: settings.startupTimeoutSeconds)
        }
        if pending.count < records.count {
            logger.info(
                "sending the Kafka messages not yet acknowledged",
                metadata: ["sink.key": "\(object.key)", "kafka.messages": "\(pending.count)", "batch.records": "\(records.count)"])
        }
        let messages = pending.map { KafkaMessage(index: $0, key: records[$0].key, value: records[$0].value) }
        let report = try await producer.send(topic: topic, body: body, messages: messages)
        state.withLock { _ = $0.ledger.acknowledge(report.acknowledged, key: object.key) }
        guard !report.failed.isEmpty else { return }
        state.withLock { _ = $0.failedTopics.insert(topic) }
        if let fatal = producer.fatalFailure { replace(producer, after: fatal) }
        throw KafkaDeliveryError(
            topic: topic, objectKey: object.key, failed: report.failed.count, total: records.count,
            errors: Self.distinct(report.failed.map(\.error)), lastClientError: producer.lastClientError)
    }

    /// After a fatal error (the idempotent session is broken) only a new producer can deliver.
    private func replace(_ failed: KafkaProducer, after error: KafkaError) {
        do {
            let fresh = try KafkaProducer(properties: settings.librdkafkaProperties(clientID: clientID), logger: logger)
            state.withLock { if $0.producer === failed { $0.producer = fresh } }
            logger.error("the Kafka producer failed fatally and was replaced by a new one", metadata: ["kafka.error": "\(error)"])
        } catch {
            logger.error("the Kafka producer failed fatally and could not be replaced", metadata: ["error": "\(error)"])
        }
    }

    /// Distinct errors, the most frequent first.
    static func distinct(_ errors: [KafkaError]) -> [KafkaError] {
        var counts: [KafkaError: Int] = [:]
        var order: [KafkaError] = []
        for error in errors {
            if counts[error] == nil { order.append(error) }
            counts[error, default: 0] += 1
        }
        return order.enumerated().sorted { (counts[$0.element]!, -$0.offset) > (counts[$1.element]!, -$1.offset) }.map(\.element)
    }
}
