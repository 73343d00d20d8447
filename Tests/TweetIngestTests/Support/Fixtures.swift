import Foundation

@testable import TweetIngest

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Recorded X API pages and error bodies from `Fixtures/twitter` in the test bundle.
enum Fixtures {
    static var twitterDirectory: URL? {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent("twitter")
    }

    /// `twarc_search_recent_*.json`: full pages as twarc saved them (pretty-printed, with `__twarc`).
    static let twarcPages = names { $0.hasPrefix("twarc_search_recent_") && $0.hasSuffix(".json") }
    /// `tweepy_search_recent_*.json` bodies (not their `.http.json` header files).
    static let tweepyPages = names { $0.hasPrefix("tweepy_search_recent_") && $0.hasSuffix(".json") && !$0.hasSuffix(".http.json") }
    static let obamaPage = "twarc_search_recent_obama_page_with_errors_2021-04-08.json"
    static let kpopPage = "twarc_search_recent_kpop_page_with_places_and_errors_2021-09-22.json"
    static let brexitPage = "twarc_search_recent_brexit_page_2021-09-22.json"
    static let mediaPage = "twarc_search_recent_media_page_2021-05-11.json"
    static let obamaFlattened = "twarc_flattened_obama_tweets_twarc-2.0.3.jsonl"

    private static func names(_ include: (String) -> Bool) -> [String] {
        guard let directory = twitterDirectory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter(include).sorted()
    }

    /// The bytes of `twitter/<name>` (`name` may include `errors/`).
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let directory = twitterDirectory else { throw FixtureError(description: "Fixtures/twitter is missing from the test bundle") }
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError(description: "cannot read fixture \(url.path)")
        }
        return Array(data)
    }

    /// The fixture parsed as a JSON object.
    static func object(_ name: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes(name))) as? [String: Any] else {
            throw FixtureError(description: "\(name) is not a JSON object")
        }
        return object
    }

    /// A page as one line: the pretty-printed fixture with its newlines removed (JSON strings
    /// cannot hold a raw newline, so this only drops whitespace between tokens).
    static func pageAsOneLine(_ name: String) throws -> [UInt8] {
        try bytes(name).filter { $0 != UInt8(ascii: "\n") }
    }

    /// An error recording from `errors/` (`{status, headers?, body}`) as the response it was.
    static func errorResponse(_ name: String, headers extra: [(name: String, value: String)] = []) throws -> HTTPResponse {
        let wrapper = try object("errors/" + name)
        guard let status = wrapper["status"] as? Int, let body = wrapper["body"] else {
            throw FixtureError(description: "errors/\(name) has no status or body")
        }
        let recorded = (wrapper["headers"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return HTTPResponse(
            status: status, headers: recorded + extra, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    /// A recorded tweepy page with the headers its `.http.json` twin says came with it.
    static func tweepyResponse(_ name: String) throws -> HTTPResponse {
        let http = try object(name.replacingOccurrences(of: ".json", with: ".http.json"))
        let headers = (http["headers"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return HTTPResponse(status: 200, headers: headers, body: try bytes(name))
    }
}
