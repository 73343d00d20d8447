import CRdKafka
import Dispatch
import Foundation

// The only test file that touches librdkafka: its built-in mock cluster (real brokers on
// loopback, in this process) and a consumer that reads topics back independently of the sink.

struct KafkaTestError: Error, CustomStringConvertible {
    var description: String
}

/// librdkafka's mock cluster (rdkafka_mock.h) with `brokers` brokers, ids 1 through `brokers`.
final class MockKafkaCluster: @unchecked Sendable {
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    let bootstrapServers: String

    init(brokers: Int32 = 3) throws {
        owner = try makeClient(RD_KAFKA_PRODUCER, [:])
        guard let cluster = rd_kafka_mock_cluster_new(owner, brokers) else {
            rd_kafka_destroy(owner)
            throw KafkaTestError(description: "rd_kafka_mock_cluster_new failed")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(owner)
    }

    /// A topic whose partition `p` is led by broker `p % brokers + 1`.
    func createTopic(_ name: String, partitions: Int32, brokers: Int32 = 3) throws {
        try check(rd_kafka_mock_topic_create(cluster, name, partitions, min(3, brokers)), "create topic \(name)")
        for partition in 0..<partitions {
            try check(rd_kafka_mock_partition_set_leader(cluster, name, partition, partition % brokers + 1), "set a leader")
        }
    }

    func setBrokerDown(_ id: Int32) throws { try check(rd_kafka_mock_broker_set_down(cluster, id), "take broker \(id) down") }
    func setBrokerUp(_ id: Int32) throws { try check(rd_kafka_mock_broker_set_up(cluster, id), "bring broker \(id) up") }

    /// Broker errors the tests inject, named so the tests need not import librdkafka.
    enum InjectedError {
        case topicAuthorizationFailed, unknownTopicOrPartition

        fileprivate var code: rd_kafka_resp_err_t {
            switch self {
            case .topicAuthorizationFailed: RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
            case .unknownTopicOrPartition: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
            }
        }
    }

    /// Metadata answers report `error` for `topic`. The mock creates any topic a client asks
    /// about, so this is how a test makes a topic missing.
    func setTopicError(_ topic: String, _ error: InjectedError) { rd_kafka_mock_topic_set_error(cluster, topic, error.code) }

    /// The next `count` Produce requests, to any broker, fail with `error`.
    func failProduceRequests(_ count: Int, with error: InjectedError) {
        let errors = [rd_kafka_resp_err_t](repeating: error.code, count: count)
        rd_kafka_mock_push_request_errors_array(cluster, 0, count, errors)
    }

    func clearProduceErrors() { rd_kafka_mock_clear_request_errors(cluster, 0) }

    private func check(_ code: rd_kafka_resp_err_t, _ what: String) throws {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaTestError(description: "mock cluster: could not \(what): \(String(cString: rd_kafka_err2str(code)))")
        }
    }
}

/// One message read back.
struct ConsumedMessage: Sendable, Hashable {
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: [UInt8]
}

/// Reads every partition of a topic from the beginning. Blocking librdkafka calls run on a
/// private queue; every wait has a deadline.
final class KafkaTestConsumer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let topic: String
    private let partitions: Int32
    private let queue = DispatchQueue(label: "tweet-ingest-tests.kafka.consumer")
    private var received: [ConsumedMessage] = []

    init(bootstrapServers: String, topic: String, partitions: Int32) throws {
        handle = try makeClient(
            RD_KAFKA_CONSUMER,
            [
                "bootstrap.servers": bootstrapServers, "group.id": "tweet-ingest-tests-\(UUID().uuidString)",
                "enable.auto.commit": "false", "enable.partition.eof": "false",
            ])
        self.topic = topic
        self.partitions = partitions
        guard let list = rd_kafka_topic_partition_list_new(partitions) else { throw KafkaTestError(description: "out of memory") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<partitions {
            rd_kafka_topic_partition_list_add(list, topic, partition)?.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let code = rd_kafka_assign(handle, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaTestError(description: "assign failed: \(String(cString: rd_kafka_err2str(code)))")
        }
    }

    deinit {
        _ = rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// Reads until `done` holds for everything read so far; throws after `timeout` seconds.
    func read(timeout: Double, until done: @escaping @Sendable ([ConsumedMessage]) -> Bool) async throws -> [ConsumedMessage] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let deadline = Date().addingTimeInterval(timeout)
                while !done(self.received) {
                    guard Date() < deadline else {
                        return continuation.resume(
                            throwing: KafkaTestError(
                                description: "\(self.topic): condition not met after \(timeout) s, \(self.received.count) read"))
                    }
                    self.pollOnce()
                }
                continuation.resume(returning: self.received)
            }
        }
    }

    /// Everything up to each partition's end (its high watermark when this is called).
    func readAll(timeout: Double = 20) async throws -> [ConsumedMessage] {
        let ends = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Int32: Int64], any Error>) in
            queue.async { continuation.resume(with: Result { try self.highWatermarks() }) }
        }
        return try await read(timeout: timeout) { messages in
            var next: [Int32: Int64] = [:]
            for message in messages { next[message.partition] = max(next[message.partition] ?? 0, message.offset + 1) }
            return ends.allSatisfy { next[$0.key, default: 0] >= $0.value }
        }
    }

    private func highWatermarks() throws -> [Int32: Int64] {
        var ends: [Int32: Int64] = [:]
        for partition in 0..<partitions {
            var low: Int64 = 0
            var high: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, 10_000)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaTestError(description: "watermarks of \(topic) [\(partition)]: \(String(cString: rd_kafka_err2str(code)))")
            }
            ends[partition] = high
        }
        return ends
    }

    private func pollOnce() {
        guard let message = rd_kafka_consumer_poll(handle, 100) else { return }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return }  // transient (a broker down): keep polling
        let key = m.key.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.key_len), as: UTF8.self) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        received.append(ConsumedMessage(partition: m.partition, offset: m.offset, key: key, value: value))
    }
}

/// A client with librdkafka's own log lines silenced.
private func makeClient(_ type: rd_kafka_type_t, _ properties: [String: String]) throws -> OpaquePointer {
    guard let conf = rd_kafka_conf_new() else { throw KafkaTestError(description: "out of memory") }
    var errorText = [CChar](repeating: 0, count: 512)
    for (name, value) in properties where rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
        rd_kafka_conf_destroy(conf)
        throw KafkaTestError(description: "\(name)=\(value): \(text(errorText))")
    }
    rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
    guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaTestError(description: "rd_kafka_new: \(text(errorText))")
    }
    return handle
}

private func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
