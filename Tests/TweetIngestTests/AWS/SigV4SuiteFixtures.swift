import Foundation

@testable import TweetIngest

/// One vector of AWS's SigV4 test suite: a directory holding `<id>.req` and the expected
/// `<id>.creq`, `<id>.sts` and `<id>.authz`. Some live one level down (`normalize-path/...`).
struct SuiteVector: Sendable, CustomStringConvertible {
    /// Path below the suite root, e.g. `normalize-path/get-slash`.
    let name: String
    let directory: URL

    var id: String { directory.lastPathComponent }
    var description: String { name }

    func file(_ fileExtension: String) throws -> String {
        let url = directory.appendingPathComponent("\(id).\(fileExtension)")
        do {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        } catch {
            throw SigV4FixtureError("\(name): cannot read \(url.path) (\(error)); re-copy the suite into Tests/TweetIngestTests/Fixtures")
        }
    }
}

struct SigV4FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum SuiteFixtures {
    /// The suite as copied into the test bundle by `resources: [.copy("Fixtures")]`.
    static var root: URL? {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent("aws-sig-v4-test-suite")
    }

    /// Every directory at any depth that contains `<directory name>.req`, sorted by name.
    static func vectors() -> [SuiteVector] {
        guard let root, let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        else { return [] }
        var found: [SuiteVector] = []
        for case let url as URL in walker where url.pathExtension == "req" {
            let directory = url.deletingLastPathComponent()
            guard url.deletingPathExtension().lastPathComponent == directory.lastPathComponent else { continue }
            let name = directory.path.dropFirst(root.path.count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            found.append(SuiteVector(name: name, directory: directory))
        }
        return found.sorted { $0.name < $1.name }
    }

    /// The example session token, the last line of `post-sts-token/readme.txt`.
    static func sessionToken() throws -> String {
        guard let root else { throw SigV4FixtureError("the suite is missing from the test bundle") }
        let readme = String(decoding: try Data(contentsOf: root.appendingPathComponent("post-sts-token/readme.txt")), as: UTF8.self)
        let lines = readme.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let token = lines.last(where: { !$0.isEmpty }) else { throw SigV4FixtureError("post-sts-token/readme.txt has no token") }
        return token
    }
}

/// A `.req` file: request line, headers, optional body after a blank line.
struct SuiteRequest {
    var method: String
    var path: String
    var query: String
    var headers: [(String, String)]
    var body: String

    /// A line starting with whitespace continues the previous header. The suite's
    /// get-header-value-multiline expects each such line to count as one more value of that
    /// header (joined with `,`), so it is added as a repeated header rather than folded.
    init(parsing text: String, vector: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }[...]
        guard let requestLine = lines.popFirst(), let firstSpace = requestLine.firstIndex(of: " "),
            let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace,
            requestLine[lastSpace...].hasPrefix(" HTTP/")
        else { throw SigV4FixtureError("\(vector): the first line is not `METHOD target HTTP/x`") }
        method = String(requestLine[..<firstSpace])
        // The target may contain spaces (normalize-path/get-space), so it is everything between.
        let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        query = parts.count > 1 ? String(parts[1]) : ""
        headers = []
        while let line = lines.popFirst(), !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                guard let previous = headers.last else { throw SigV4FixtureError("\(vector): continuation line before any header") }
                headers.append((previous.0, line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            } else {
                throw SigV4FixtureError("\(vector): header line without ':': \(line)")
            }
        }
        body = lines.joined(separator: "\n")
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}
