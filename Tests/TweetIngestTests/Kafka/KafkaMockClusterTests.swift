import Foundation
import Testing

@testable import TweetIngest

/// `KafkaSink` against librdkafka's mock cluster: three brokers on loopback, in process. The
/// records are the recorded twarc pages, normalized; a separate consumer reads them back.
@Suite(.serialized)
struct KafkaMockClusterTests {
    let cluster: MockKafkaCluster

    init() throws {
        cluster = try MockKafkaCluster(brokers: 3)
    }

    func settings(deliveryTimeoutSeconds: Int = 60) -> KafkaSettings {
        KafkaSettings(
            brokers: cluster.bootstrapServers.split(separator: ",").map(String.init), topic: "tweets",
            deliveryTimeoutSeconds: deliveryTimeoutSeconds, startupTimeoutSeconds: 10)
    }

    /// `tweets` with 6 partitions (partition p led by broker p % 3 + 1), `tweets-errors` with 1.
    func connectedSink(deliveryTimeoutSeconds: Int = 60) async throws -> KafkaSink {
        try cluster.createTopic("tweets", partitions: 6)
        try cluster.createTopic("tweets-errors", partitions: 1)
        return try await KafkaSink.connect(
            settings(deliveryTimeoutSeconds: deliveryTimeoutSeconds), streamName: "tweets", logger: silentLogger)
    }

    func readBack(_ topic: String = "tweets", partitions: Int32 = 6) async throws -> [ConsumedMessage] {
        try await KafkaTestConsumer(bootstrapServers: cluster.bootstrapServers, topic: topic, partitions: partitions).readAll()
    }

    /// Values as text, sorted: equal lists mean every record arrived exactly once.
    func sortedValues(_ values: [[UInt8]]) -> [String] {
        values.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    func deliverRetrying(_ object: DeliveryObject, to sink: KafkaSink, attempts: Int) async throws {
        for attempt in 1...attempts {
            do {
                return try await sink.deliver(object)
            } catch let error as KafkaDeliveryError where attempt < attempts {
                #expect(error.description.contains("_MSG_TIMED_OUT"))
            }
        }
    }

    @Test func deliversEveryRecordExactlyOnceKeyedByTweetID() async throws {
        let sink = try await connectedSink()
        let records = try KafkaFixtures.objects()
        let errors = try KafkaFixtures.errorObject()
        #expect(records.count == 4 && errors.recordCount == 3)
        for object in records + [errors] { try await withDeadline(30) { try await sink.deliver(object) } }

        let consumed = try await readBack()
        let expected = records.flatMap(KafkaFixtures.lines)
        #expect(consumed.count == records.map(\.recordCount).reduce(0, +))
        #expect(sortedValues(consumed.map(\.value)) == sortedValues(expected))
        for message in consumed {
            #expect(message.key != nil && message.key == KafkaFixtures.tweetID(message.value))
        }
        let partitionsByKey = Dictionary(grouping: consumed, by: \.key).mapValues { Set($0.map(\.partition)) }
        #expect(partitionsByKey.values.allSatisfy { $0.count == 1 })
        #expect(Set(consumed.map(\.partition)).count == 6)

        let consumedErrors = try await readBack("tweets-errors", partitions: 1)
        #expect(sortedValues(consumedErrors.map(\.value)) == sortedValues(KafkaFixtures.lines(errors)))
        #expect(consumedErrors.allSatisfy { $0.key == nil })
    }

    @Test func aTweetsVersionsShareOnePartition() async throws {
        let sink = try await connectedSink()
        let first = try KafkaFixtures.objects()[0]
        let again = DeliveryObject(key: "tweets-1-later-object", body: first.body, recordCount: first.recordCount)
        try await withDeadline(30) { try await sink.deliver(first) }
        try await withDeadline(30) { try await sink.deliver(again) }

        let consumed = try await readBack()
        #expect(consumed.count == 2 * first.recordCount)
        for (key, messages) in Dictionary(grouping: consumed, by: \.key) {
            #expect(messages.count == 2, "key \(key ?? "nil")")
            #expect(Set(messages.map(\.partition)).count == 1, "key \(key ?? "nil")")
        }
    }

    @Test func deliveringACompletedObjectAgainSendsNothing() async throws {
        let sink = try await connectedSink()
        let object = try KafkaFixtures.objects()[1]
        try await withDeadline(30) { try await sink.deliver(object) }
        try await withDeadline(30) { try await sink.deliver(object) }
        #expect(try await readBack().count == object.recordCount)
    }

    @Test func aBrokerDownMidRunDelaysDeliveryUntilItIsBackAndLosesNothing() async throws {
        let sink = try await connectedSink()
        let objects = try KafkaFixtures.objects()
        try await withDeadline(30) { try await sink.deliver(objects[0]) }

        try cluster.setBrokerDown(2)  // leads partitions 1 and 4
        let finished = Locked(false)
        let second = Task {
            try await sink.deliver(objects[1])
            finished.withLock { $0 = true }
        }
        let secondLines = Set(KafkaFixtures.lines(objects[1]))
        let watcher = try KafkaTestConsumer(bootstrapServers: cluster.bootstrapServers, topic: "tweets", partitions: 6)
        _ = try await watcher.read(timeout: 30) { messages in messages.contains { secondLines.contains($0.value) } }
        #expect(!finished.value, "deliver returned while the leader of some of its partitions was down")

        try cluster.setBrokerUp(2)
        try await withDeadline(60) { try await second.value }
        try await withDeadline(30) { try await sink.deliver(objects[2]) }

        let consumed = try await readBack()
        #expect(sortedValues(consumed.map(\.value)) == sortedValues(objects[0...2].flatMap(KafkaFixtures.lines)))
        #expect(consumed.contains { secondLines.contains($0.value) && [1, 4].contains($0.partition) })
    }

    @Test func aBrokerThatStaysDownFailsTheDeliveryClearlyAndTheRetrySendsOnlyTheRest() async throws {
        let sink = try await connectedSink(deliveryTimeoutSeconds: 3)
        let object = try KafkaFixtures.objects()[0]
        try cluster.setBrokerDown(2)
        let error = await #expect(throws: KafkaDeliveryError.self) {
            try await withDeadline(30) { try await sink.deliver(object) }
        }
        #expect(error.map { $0.failed > 0 && $0.failed < $0.total } == true)
        #expect(error?.description.contains("were not acknowledged: Local: Message timed out (_MSG_TIMED_OUT)") == true)
        #expect(error?.description.contains("check KAFKA_BROKERS") == true)

        // As Delivery does: retry the object until it is delivered (librdkafka may still be in its
        // reconnect backoff, up to 10 s, when the first retry's 3 s run out).
        try cluster.setBrokerUp(2)
        try await withDeadline(60) { try await deliverRetrying(object, to: sink, attempts: 10) }
        let consumed = try await readBack()
        #expect(sortedValues(consumed.map(\.value)) == sortedValues(KafkaFixtures.lines(object)))
    }

    @Test func theCheckpointMovesOnlyOnceEveryMessageIsAcknowledged() async throws {
        let sink = try await connectedSink(deliveryTimeoutSeconds: 3)
        let object = try KafkaFixtures.objects()[1]
        var batch = Batch()
        batch.records = object.body
        batch.recordCount = object.recordCount
        batch.firstArrival = Date(timeIntervalSince1970: 1_767_323_045)
        batch.checkpoint = SearchCursor(sinceID: TweetID(42))
        let checkpoints = FakeCheckpointStore()
        let (failures, failure) = AsyncStream.makeStream(of: Void.self)
        let delivery = Delivery(
            sink: sink, checkpoints: checkpoints, layout: ObjectKeyLayout(streamName: "tweets", fileExtension: ""), compression: .none,
            streamName: "tweets", query: "#swift", logger: silentLogger, now: { Date() }, sleep: { _ in failure.yield() },
            randomSuffix: { "r1" }, randomUnit: { 0.5 })

        try cluster.setBrokerDown(2)
        let delivering = Task { try await delivery.deliver(batch, reason: "test") }
        try await withDeadline(30) { for await _ in failures { return } }
        #expect(checkpoints.saved.isEmpty, "the checkpoint moved while messages were unacknowledged")

        try cluster.setBrokerUp(2)
        try await withDeadline(60) { try await delivering.value }
        #expect(checkpoints.saved.map(\.cursor) == [SearchCursor(sinceID: TweetID(42))])
        let consumed = try await readBack()
        #expect(sortedValues(consumed.map(\.value)) == sortedValues(KafkaFixtures.lines(object)))
    }

    @Test func aNonRetriableBrokerErrorFailsTheDeliveryClearly() async throws {
        let sink = try await connectedSink()
        let object = try KafkaFixtures.objects()[2]
        cluster.failProduceRequests(100, with: .topicAuthorizationFailed)
        let error = await #expect(throws: KafkaDeliveryError.self) {
            try await withDeadline(30) { try await sink.deliver(object) }
        }
        #expect(error?.description.contains("TOPIC_AUTHORIZATION_FAILED") == true)
        #expect(error?.description.contains("IdempotentWrite") == true)

        cluster.clearProduceErrors()
        try await withDeadline(30) { try await sink.deliver(object) }
        let consumed = try await readBack()
        #expect(sortedValues(consumed.map(\.value)) == sortedValues(KafkaFixtures.lines(object)))
    }

    @Test func cancellingAWaitingDeliveryReturnsPromptly() async throws {
        let sink = try await connectedSink()
        let object = try KafkaFixtures.objects()[3]
        try cluster.setBrokerDown(-1)
        let delivery = Task { try await sink.deliver(object) }
        delivery.cancel()
        await #expect(throws: CancellationError.self) { try await withDeadline(10) { try await delivery.value } }
        try cluster.setBrokerUp(-1)
    }

    @Test func startupCheckNamesAMissingTopic() async throws {
        cluster.setTopicError("tweets", .unknownTopicOrPartition)
        let error = await #expect(throws: KafkaStartupError.self) {
            try await KafkaSink.connect(settings(), streamName: "tweets", logger: silentLogger)
        }
        #expect(error?.reason == .topicMissing(variable: .kafkaTopic, topic: "tweets"))
        #expect(error?.description.contains("the topic tweets (KAFKA_TOPIC) does not exist") == true)
    }

    @Test func startupCheckRequiresTheErrorTopic() async throws {
        try cluster.createTopic("tweets", partitions: 3)
        cluster.setTopicError("tweets-errors", .unknownTopicOrPartition)
        let error = await #expect(throws: KafkaStartupError.self) {
            try await KafkaSink.connect(settings(), streamName: "tweets", logger: silentLogger)
        }
        #expect(error?.reason == .topicMissing(variable: .kafkaErrorTopic, topic: "tweets-errors"))
    }

    @Test func startupCheckFailsClearlyWhenNoBrokerAnswers() async throws {
        let unreachable = KafkaSettings(brokers: ["127.0.0.1:1"], topic: "tweets", startupTimeoutSeconds: 2)
        let error = await #expect(throws: KafkaStartupError.self) {
            try await withDeadline(20) { try await KafkaSink.connect(unreachable, streamName: "tweets", logger: silentLogger) }
        }
        guard case .unreachable = error?.reason else {
            Issue.record("expected .unreachable, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("cannot reach the Kafka cluster at KAFKA_BROKERS=127.0.0.1:1") == true)
    }

    @Test func anUnreadableCAFileIsRefusedAtStartup() throws {
        var tls = settings()
        tls.securityProtocol = .ssl
        tls.sslCALocation = "/nonexistent/ca.pem"
        let error = #expect(throws: KafkaStartupError.self) { try KafkaSink(settings: tls, logger: silentLogger) }
        #expect(error?.description.contains("KAFKA_SSL_CA_LOCATION") == true)
    }
}
