@testable import TweetIngest

extension Config {
    /// The problems `environment` produces; none when it is valid.
    static func problems(_ environment: [String: String]) -> [ConfigProblem] {
        do {
            _ = try Config(environment: environment)
            return []
        } catch {
            return error.problems
        }
    }
}
