import CRdKafka
import Dispatch
import FoundationEssentials
import Logging
import Synchronization

/// A message to produce: `value` is a range of the batch's body; `index` names it in the report.
struct KafkaMessage: Sendable {
    var index: Int
    var key: [UInt8]?
    var value: Range<Int>
}

/// What the delivery reports of one batch said, by message index.
struct KafkaBatchReport: Sendable {
    var acknowledged: [Int] = []
    var failed: [(index: Int, error: KafkaError)] = []
}

/// The only file that touches librdkafka.
///
/// One idempotent producer handle, owned by this class; its deinit purges what is still queued
/// (the waiting batches get their failure reports) and destroys it. librdkafka sends from its own
/// threads. Delivery reports, client errors and log lines are served by `rd_kafka_poll` on a
/// dedicated thread, and the calls that may block (producing into a full queue, a metadata
/// request) run on a private dispatch queue: no thread of Swift's cooperative pool ever waits.
final class KafkaProducer: Sendable {
    private let handle: KafkaHandle
    private let context: KafkaClientContext
    private let poller: KafkaPollThread
    private let queue = DispatchQueue(label: "tweet-ingest.kafka.produce")

    init(properties: [KafkaProperty], logger: Logger) throws(KafkaStartupError) {
        guard let conf = rd_kafka_conf_new() else { fatalError("rd_kafka_conf_new failed: out of memory") }
        var errorText = [CChar](repeating: 0, count: 512)
        let brokers = properties.first { $0.name == "bootstrap.servers" }.map { $0.value.split(separator: ",").map(String.init) } ?? []
        // Log lines wait on the main queue and reach `kafkaLog` through the poll thread.
        for property in properties + [KafkaProperty(name: "log.queue", value: "true")]
        where rd_kafka_conf_set(conf, property.name, property.value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            let detail = cString(errorText)
            let shown =
                property.isSecret && !property.value.isEmpty ? detail.replacingEvery(property.value, with: "<redacted>") : detail
            throw KafkaStartupError(
                reason: .settingRejected(variable: property.variable, property: property.name, value: property.shownValue, detail: shown),
                brokers: brokers)
        }
        let context = KafkaClientContext(logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryReport)
        rd_kafka_conf_set_error_cb(conf, kafkaClientError)
        rd_kafka_conf_set_log_cb(conf, kafkaLog)
        guard let raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaStartupError(reason: .clientCreationFailed(detail: cString(errorText)), brokers: brokers)
        }
        rd_kafka_set_log_queue(raw, nil)
        let poller = KafkaPollThread(handle: KafkaHandle(raw: raw))
        do {
            try poller.start()
        } catch {
            rd_kafka_destroy(raw)
            throw KafkaStartupError(reason: .clientCreationFailed(detail: "\(error)"), brokers: brokers)
        }
        handle = KafkaHandle(raw: raw)
        self.context = context
        self.poller = poller
    }

    deinit {
        poller.stop()
        _ = rd_kafka_purge(handle.raw, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        _ = rd_kafka_flush(handle.raw, 2000)  // serves the purged messages' reports: no batch waits forever
        rd_kafka_destroy(handle.raw)
    }

    /// The last connection-level error librdkafka reported (a refused connection, a failed login).
    var lastClientError: KafkaError? { context.lastError }

    /// Set once librdkafka raised a fatal error: this producer can no longer deliver.
    var fatalFailure: KafkaError? { fatalCause(handle.raw) }

    /// Produces every message to `topic` and returns once each has its delivery report (librdkafka
    /// retries internally until `message.timeout.ms`). Cancelling stops the waiting; messages
    /// already handed over may still be delivered.
    func send(topic: String, body: [UInt8], messages: [KafkaMessage]) async throws -> KafkaBatchReport {
        guard !messages.isEmpty else { return KafkaBatchReport() }
        let batch = KafkaPendingBatch(count: messages.count)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<KafkaBatchReport, any Error>) in
                guard batch.begin(continuation) else { return }
                queue.async { self.enqueue(topic: topic, body: body, messages: messages, batch: batch) }
            }
        } onCancel: {
            batch.cancel()
        }
    }

    private func enqueue(topic: String, body: [UInt8], messages: [KafkaMessage], batch: KafkaPendingBatch) {
        body.withUnsafeBytes { bytes in
            topic.withCString { topicName in
                for message in messages where !batch.isFinished {
                    let ticket = Unmanaged.passRetained(KafkaTicket(batch: batch, index: message.index)).toOpaque()
                    let value = bytes.baseAddress.map { $0 + message.value.lowerBound }
                    let length = message.value.count
                    // Blocks this queue (never the cooperative pool) while librdkafka's queue is full.
                    let code =
                        message.key.map { key in
                            key.withUnsafeBytes {
                                crdkafka_produce(handle.raw, topicName, $0.baseAddress, $0.count, value, length, 1, ticket)
                            }
                        } ?? crdkafka_produce(handle.raw, topicName, nil, 0, value, length, 1, ticket)
                    if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                        Unmanaged<KafkaTicket>.fromOpaque(ticket).release()
                        batch.report(message.index, error: KafkaError(code, reason: nil, isFatal: code == RD_KAFKA_RESP_ERR__FATAL))
                    }
                }
            }
        }
    }

    /// The partition count of `topic` from one metadata request, or why there is none.
    func partitionCount(of topic: String, timeoutSeconds: Int) async -> Result<Int, KafkaError> {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.describe(topic, timeoutMilliseconds: Int32(timeoutSeconds * 1000))) }
        }
    }

    private func describe(_ topic: String, timeoutMilliseconds: Int32) -> Result<Int, KafkaError> {
        guard let topicHandle = rd_kafka_topic_new(handle.raw, topic, nil) else {
            return .failure(KafkaError(rd_kafka_last_error(), reason: nil, isFatal: false))
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle.raw, 0, topicHandle, &metadata, timeoutMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { return .failure(KafkaError(code, reason: nil, isFatal: false)) }
        defer { rd_kafka_metadata_destroy(metadata) }
        let unknown = KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, reason: nil, isFatal: false)
        guard metadata.pointee.topic_cnt > 0, let entry = metadata.pointee.topics?.pointee else { return .failure(unknown) }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(entry.err, reason: nil, isFatal: false)) }
        return entry.partition_cnt > 0 ? .success(Int(entry.partition_cnt)) : .failure(unknown)
    }
}

/// The producer handle, handed to the poll thread.
private struct KafkaHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// Serves delivery reports, client errors and log lines until stopped.
private final class KafkaPollThread: Sendable {
    private let handle: KafkaHandle
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(handle: KafkaHandle) { self.handle = handle }

    func start() throws(ThreadStartError) {
        try startThread(name: "Kafka poll") { [self] in
            while !stopping.load(ordering: .acquiring) { _ = rd_kafka_poll(handle.raw, 100) }
            stopped.signal()
        }
    }

    /// Returns once the thread no longer touches the handle (within one 100 ms poll).
    func stop() {
        stopping.store(true, ordering: .releasing)
        stopped.wait()
    }
}

/// Shared with librdkafka's callbacks as the configuration's opaque pointer.
private final class KafkaClientContext: Sendable {
    let logger: Logger
    private let last = Mutex<KafkaError?>(nil)

    init(logger: Logger) { self.logger = logger }

    var lastError: KafkaError? { last.withLock { $0 } }

    func report(_ error: KafkaError) {
        last.withLock { $0 = error }
        logger.log(
            level: error.isFatal ? .error : .warning, "Kafka client error",
            metadata: ["kafka.error": "\(error.reason)", "kafka.error_code": "\(error.name)"])
    }
}

/// One message's way back from its delivery report to the batch waiting for it.
private final class KafkaTicket: Sendable {
    let batch: KafkaPendingBatch
    let index: Int

    init(batch: KafkaPendingBatch, index: Int) {
        self.batch = batch
        self.index = index
    }
}

/// Collects a batch's delivery reports and resumes the waiting task once all have arrived.
private final class KafkaPendingBatch: Sendable {
    private struct State {
        var continuation: CheckedContinuation<KafkaBatchReport, any Error>?
        var remaining: Int
        var report = KafkaBatchReport()
        var cancelled = false
        var finished = false
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(remaining: count)) }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// False when the task was cancelled before: the continuation is then resumed here.
    func begin(_ continuation: CheckedContinuation<KafkaBatchReport, any Error>) -> Bool {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.continuation = continuation }
            state.finished = state.cancelled
            return state.cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func report(_ index: Int, error: KafkaError?) {
        let done: (CheckedContinuation<KafkaBatchReport, any Error>, KafkaBatchReport)? = state.withLock { state in
            guard !state.finished else { return nil }
            if let error { state.report.failed.append((index, error)) } else { state.report.acknowledged.append(index) }
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.finished = true
            state.continuation = nil
            return (continuation, state.report)
        }
        if let (continuation, report) = done { continuation.resume(returning: report) }
    }

    func cancel() {
        let continuation = state.withLock { state in
            state.cancelled = true
            state.finished = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(throwing: CancellationError())
    }
}

extension KafkaError {
    fileprivate init(_ code: rd_kafka_resp_err_t, reason: String?, isFatal: Bool) {
        self.init(
            code: code.rawValue, name: String(cString: rd_kafka_err2name(code)), reason: reason ?? String(cString: rd_kafka_err2str(code)),
            isFatal: isFatal)
    }
}

private func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// librdkafka's fatal error, with its underlying cause.
private func fatalCause(_ handle: OpaquePointer) -> KafkaError? {
    var text = [CChar](repeating: 0, count: 512)
    let code = rd_kafka_fatal_error(handle, &text, text.count)
    return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code, reason: cString(text), isFatal: true)
}

private func kafkaDeliveryReport(_ handle: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _: UnsafeMutableRawPointer?) {
    guard let message, let opaque = message.pointee._private else { return }
    let ticket = Unmanaged<KafkaTicket>.fromOpaque(opaque).takeRetainedValue()
    let code = message.pointee.err
    guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return ticket.batch.report(ticket.index, error: nil) }
    let fatal = code == RD_KAFKA_RESP_ERR__FATAL ? handle.flatMap(fatalCause) : nil
    ticket.batch.report(ticket.index, error: fatal ?? KafkaError(code, reason: nil, isFatal: code == RD_KAFKA_RESP_ERR__FATAL))
}

private func kafkaClientError(_ handle: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?)
{
    guard let opaque else { return }
    let context = Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    let error = rd_kafka_resp_err_t(rawValue: code)
    let fatal = error == RD_KAFKA_RESP_ERR__FATAL ? handle.flatMap(fatalCause) : nil
    context.report(fatal ?? KafkaError(error, reason: reason.map { String(cString: $0) }, isFatal: false))
}

/// librdkafka's syslog levels: warnings (a dubious setting...) and anything worse than an error
/// as notices; errors at debug, as each also reaches `kafkaClientError` and is logged there.
private func kafkaLog(_ handle: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ line: UnsafePointer<CChar>?) {
    guard let handle, let opaque = rd_kafka_opaque(handle), let line else { return }
    let context = Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    context.logger.log(
        level: level == 4 || level < 3 ? .notice : .debug, "librdkafka: \(String(cString: line))",
        metadata: ["kafka.facility": "\(facility.map { String(cString: $0) } ?? "")"])
}
