import CoreMetrics
import Foundation
import Testing

@testable import TweetIngest

@Suite("Metrics formats")
struct MetricsFormatTests {
    @Test func intervalsReportCounterIncrementsAndGaugeValues() {
        let registry = MetricsRegistry()
        let fetched = registry.makeCounter(label: MetricName.tweetsFetched.rawValue, dimensions: [])
        let fill = registry.makeRecorder(label: MetricName.bufferFillBytes.rawValue, dimensions: [], aggregate: false)
        fetched.increment(by: 5)
        fill.record(Int64(100))
        var first = registry.takeInterval()
        #expect(first[.init(name: "TweetsFetched", dimensions: [:])] == 5)
        fetched.increment(by: 2)
        first = registry.takeInterval()
        #expect(first[.init(name: "TweetsFetched", dimensions: [:])] == 2, "counters report what happened in the interval")
        #expect(first[.init(name: "BufferFillBytes", dimensions: [:])] == 100, "gauges report their value")
        #expect(first[.init(name: "RecordsDelivered", dimensions: [:])] == 0, "idle metrics are zeros, not missing")
    }

    @Test func emfHasOneDocumentPerDimensionSetWithEveryReferencedMember() throws {
        let interval: [MetricsRegistry.Series: Double] = [
            .init(name: "TweetsFetched", dimensions: [:]): 3,
            .init(name: "ApiRequests", dimensions: ["Status": "200"]): 2,
            .init(name: "ApiRequests", dimensions: ["Status": "429"]): 1,
        ]
        let lines = EmbeddedMetricFormat.lines(interval, stream: "tweets", timestamp: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(lines.count == 3)
        for line in lines {
            let document = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let aws = try #require(document["_aws"] as? [String: Any])
            #expect(aws["Timestamp"] as? Int == 1_800_000_000_000)
            let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
            #expect(directive["Namespace"] as? String == "TweetIngest")
            for dimension in try #require((directive["Dimensions"] as? [[String]])?.first) {
                #expect(document[dimension] is String)
            }
            for metric in try #require(directive["Metrics"] as? [[String: Any]]) {
                #expect(document[metric["Name"] as! String] is NSNumber)
            }
            #expect(document["Stream"] as? String == "tweets")
        }
        #expect(lines.contains { $0.contains("\"Status\":\"429\"") && $0.contains("\"ApiRequests\":1") })
    }

    @Test func prometheusTextHasTypesLabelsAndTotals() {
        let text = PrometheusExposition.text(
            [.init(name: "TweetsFetched", dimensions: [:]): 7, .init(name: "ApiRequests", dimensions: ["Status": "200"]): 3], stream: "s\"1"
        )
        #expect(text.contains("# TYPE tweet_ingest_tweets_fetched_total counter\ntweet_ingest_tweets_fetched_total{stream=\"s\\\"1\"} 7\n"))
        #expect(text.contains("tweet_ingest_api_requests_total{stream=\"s\\\"1\",status=\"200\"} 3"))
        #expect(text.contains("# TYPE tweet_ingest_data_freshness_seconds gauge"))
    }
}
