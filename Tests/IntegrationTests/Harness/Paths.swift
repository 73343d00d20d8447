import Foundation

/// Where the test inputs and the built binary are, found from this file's location and the
/// test bundle, so the tests run from any working directory and any `--scratch-path`.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let twitterFixtures = repository + "/Tests/TweetIngestTests/Fixtures/twitter"
    static let fakeXAPI = repository + "/Tests/IntegrationTests/Support/fake_x_api.py"

    /// The `tweet-ingest` executable built beside the test bundle.
    static var binary: String {
        get throws {
            var candidates = [Bundle.main.bundleURL.appendingPathComponent("tweet-ingest").path]
            for bundle in Bundle.allBundles {
                candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("tweet-ingest").path)
            }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw HarnessError("tweet-ingest binary not found beside the tests (looked in \(candidates))")
            }
            return found
        }
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tweet-ingest-it-\(name)-\(UUID().uuidString.prefix(8))")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
