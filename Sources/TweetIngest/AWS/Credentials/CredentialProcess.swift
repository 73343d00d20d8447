import FoundationEssentials

/// A profile's `credential_process`: the command is split as the SDKs split it (POSIX shell
/// words, `shlex.split` in botocore, no shell runs it), its standard output must be the JSON
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
/// Messages quote the command's standard error (trimmed) but never its standard output.
struct CredentialProcess: Sendable {
    let command: String
    let profile: String
    let runner: any CredentialProcessRunning
    let provider = "shared files"
    static let stderrLimit = 2000

    func run() async throws -> ProvidedCredentials {
        let arguments: [String]
        do {
            arguments = try Self.split(command)
        } catch {
            throw fail("its command cannot be split into words: \(error.reason)")
        }
        guard let program = arguments.first else { throw fail("the command is empty") }
        let output: CredentialProcessOutput
        do {
            output = try await runner.run(arguments)
        } catch let error as CredentialProcessLaunchError {
            throw fail("\(program) failed to run: \(error.reason)")
        }
        guard output.exitStatus == 0 else {
            var stderr = String(decoding: output.standardError, as: UTF8.self).trimmingWhitespace()
            if stderr.count > Self.stderrLimit { stderr = String(stderr.prefix(Self.stderrLimit)) + "…" }
            throw fail(
                "\(program) exited with \(output.exitDescription)" + (stderr.isEmpty ? " and wrote nothing to stderr" : ": \(stderr)"))
        }
        do {
            return try Self.parse(output.standardOutput, source: "credential_process of profile \"\(profile)\"")
        } catch {
            throw fail("\(program) printed \(error.reason)")
        }
    }

    private func fail(_ reason: String) -> AWSCredentialError {
        AWSCredentialError.providerFailed(provider: provider, reason: "credential_process of profile \"\(profile)\": \(reason)")
    }

    struct Failure: Error {
        var reason: String
    }

    private struct Document: Decodable {
        var Version: Int?
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var SessionToken: String?
        var Expiration: String?
    }

    /// The output document; reasons never quote it.
    static func parse(_ stdout: [UInt8], source: String) throws(Failure) -> ProvidedCredentials {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(stdout))
        } catch {
            throw Failure(reason: "something that is not a JSON object with string and number members (\(stdout.count) bytes)")
        }
        guard let version = document.Version else { throw Failure(reason: "JSON without \"Version\"; it must be 1") }
        guard version == 1 else { throw Failure(reason: "JSON with \"Version\": \(version); only version 1 is supported") }
        guard
            let credentials = try CredentialsDocument.provided(
                accessKeyId: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.SessionToken,
                expiration: document.Expiration, source: source, fail: { Failure(reason: $0) })
        else { throw Failure(reason: "JSON without \"AccessKeyId\" or \"SecretAccessKey\"") }
        return credentials
    }

    /// POSIX shell words as Python's `shlex.split` makes them: blanks separate; `'…'` is
    /// literal; in `"…"` a backslash escapes only `"` and `\`; elsewhere a backslash escapes
    /// the next character. No expansion, no comments.
    static func split(_ command: String) throws(Failure) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var characters = command.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "'" {
                        closed = true
                        break
                    }
                    word.append(next)
                }
                if !closed { throw Failure(reason: "a ' quote is not closed") }
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    if next == "\\" {
                        guard let escaped = characters.next() else { break }
                        if escaped != "\"" && escaped != "\\" { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
                if !closed { throw Failure(reason: "a \" quote is not closed") }
            case "\\":
                inWord = true
                guard let escaped = characters.next() else { throw Failure(reason: "the command ends with a lone backslash") }
                word.append(escaped)
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
