import Foundation
import Testing

@testable import TweetIngest

/// The start-up check (DescribeDeliveryStream) against moto_server with signature and IAM
/// checking on: each way it can fail says what is wrong, and nothing is sent.
@Suite("Firehose start-up check against moto_server", .timeLimit(.minutes(3)))
struct FirehoseStartupCheckIntegrationTests {
    static func failure(_ environment: [String: String]) async throws -> String {
        do {
            _ = try await FirehoseTestSupport.connect(environment)
        } catch let error as FirehoseHealthcheckError {
            return "\(error)"
        }
        Issue.record("the start-up check passed")
        return ""
    }

    @Test("a wrong stream name, a user without permissions, a wrong secret and a closed port each get their own message")
    func failuresSayWhatIsWrong() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-check"])
        defer { moto.stop() }

        let missing = try await Self.failure(try moto.environment(stream: "no-such-stream"))
        #expect(
            missing.contains(
                "Firehose start-up check failed for delivery stream \"no-such-stream\" at \(moto.endpoint)/ (region us-east-1)"))
        #expect(missing.contains("no such delivery stream (HTTP 400 ResourceNotFoundException"), "\(missing)")
        #expect(missing.contains("fix FIREHOSE_STREAM_NAME"))

        let denied = try await Self.failure(try moto.environment(stream: "tweets-check", keys: moto.nobody))
        #expect(denied.contains("access denied (HTTP 403 AccessDenied"), "\(denied)")
        #expect(denied.contains("Allow firehose:DescribeDeliveryStream and firehose:PutRecordBatch"))
        #expect(denied.contains(moto.nobody.accessKeyID))

        var wrongSecret = moto.writer
        wrongSecret.secretAccessKey = "not-the-secret"
        let unsigned = try await Self.failure(try moto.environment(stream: "tweets-check", keys: wrongSecret))
        #expect(unsigned.contains("the secret access key is wrong"), "\(unsigned)")
        #expect(!unsigned.contains("not-the-secret"), "secrets never appear in messages")

        let closed = try await Self.failure(
            try moto.environment(stream: "tweets-check", extra: ["AWS_ENDPOINT_URL_FIREHOSE": "http://127.0.0.1:\(try freeLoopbackPort())"])
        )
        #expect(closed.contains("cannot connect"), "\(closed)")
        #expect(try moto.objects().isEmpty)
    }

    @Test("the writer's two permissions are enough: the check passes and names the stream's ARN")
    func passes() async throws {
        let moto = try await FirehoseMotoServer(streams: ["tweets-ok"])
        defer { moto.stop() }
        let (sink, _, _) = try await FirehoseTestSupport.connect(try moto.environment(stream: "tweets-ok"))
        #expect(sink.destination == "firehose://tweets-ok")
    }
}
