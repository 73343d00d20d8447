import Foundation
import Testing

@testable import TweetIngest

@Suite("credential_process profiles")
struct CredentialsProcessTests {
    @Test("the command is split into words exactly as botocore's compat_shell_split (shlex.split) does")
    func splitsLikeBotocore() throws {
        // Expected lists printed by botocore.compat.compat_shell_split for the same strings.
        let cases: [(String, [String])] = [
            (#"/usr/bin/helper --profile "a b" 'c d' e\ f"#, ["/usr/bin/helper", "--profile", "a b", "c d", "e f"]),
            (#"cmd "x\"y\z" '\n'"#, ["cmd", #"x"y\z"#, #"\n"#]),
            ("a  ''  b", ["a", "", "b"]),
            (#"x"y"z"#, ["xyz"]),
        ]
        for (command, words) in cases {
            #expect(try CredentialProcess.split(command) == words, "\(command)")
        }
        #expect(throws: CredentialProcess.Failure.self) { try CredentialProcess.split("helper 'open") }
    }

    @Test("Version 1 output is parsed with its optional Expiration; anything else is refused without quoting it")
    func parsesOutput() throws {
        let full = Array(
            #"{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"proc-secret","SessionToken":"proc-token","Expiration":"2026-12-03T08:00:00Z"}"#
                .utf8)
        let found = try CredentialProcess.parse(full, source: "p")
        #expect(found.credentials.accessKeyId == "ASIAPROC")
        #expect(found.credentials.sessionToken == "proc-token")
        #expect(found.expiration == Date(timeIntervalSince1970: 1_796_284_800))
        #expect(
            try CredentialProcess.parse(Array(#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s"}"#.utf8), source: "p").expiration
                == nil)
        let refused: [(String, String)] = [
            (#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"proc-secret"}"#, "\"Version\": 2; only version 1 is supported"),
            (#"{"AccessKeyId":"A","SecretAccessKey":"proc-secret"}"#, "JSON without \"Version\"; it must be 1"),
            (#"{"Version":1,"AccessKeyId":"A"}"#, "JSON without \"AccessKeyId\" or \"SecretAccessKey\""),
            (#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"proc-secret","Expiration":"soon"}"#, "\"Expiration\" of \"soon\""),
            ("AccessKeyId=A SecretAccessKey=proc-secret", "not a JSON object"),
        ]
        for (output, message) in refused {
            #expect {
                try CredentialProcess.parse(Array(output.utf8), source: "p")
            } throws: { error in
                let reason = (error as? CredentialProcess.Failure)?.reason ?? ""
                return reason.contains(message) && !reason.contains("proc-secret")
            }
        }
    }

    /// A `credential_process` script in a temporary HOME.
    static func script(_ home: S3TemporaryHome, _ body: String) throws -> String {
        let path = try home.write("#!/bin/sh\n" + body + "\n", to: "helper with space.sh")
        chmod(path, 0o755)
        return path
    }

    static func provider(_ home: S3TemporaryHome, command: String) throws -> SharedFileCredentialProvider {
        _ = try home.write("[profile proc]\ncredential_process = \(command)\n", to: ".aws/config")
        return SharedFileCredentialProvider(profile: "proc", files: home.files(), services: .offline(home: home.path))
    }

    @Test("a real command runs without a shell: its arguments arrive as split, its JSON becomes the credentials")
    func runsCommand() async throws {
        let home = try S3TemporaryHome()
        let path = try Self.script(
            home,
            #"""
            [ "$1" = "--role" ] && [ "$2" = "two words" ] || { echo "bad arguments: $*" >&2; exit 9; }
            echo "some diagnostics" >&2
            printf '{"Version": 1, "AccessKeyId": "ASIASCRIPT", "SecretAccessKey": "script-secret", "SessionToken": "script-token", "Expiration": "2030-01-01T00:00:00Z"}'
            """#)
        let provider = try Self.provider(home, command: "\"\(path)\" --role 'two words' ")
        let found = try #require(try await provider.lookup().found)
        #expect(found.credentials.accessKeyId == "ASIASCRIPT")
        #expect(found.source == "credential_process of profile \"proc\"")
        #expect(found.expiration == parseRFC3339("2030-01-01T00:00:00Z"))
    }

    @Test("a failing command's error carries its exit status and stderr, never its stdout")
    func failingCommand() async throws {
        let home = try S3TemporaryHome()
        let path = try Self.script(
            home, "echo '{\"SecretAccessKey\": \"leaked-secret\"}'; echo 'token expired, run helper login' >&2; exit 3")
        let provider = try Self.provider(home, command: "'\(path)'")
        await #expect {
            try await provider.lookup()
        } throws: { error in
            let text = "\(error)"
            return text.contains("credential_process of profile \"proc\": \(path) exited with status 3: token expired, run helper login")
                && !text.contains("leaked-secret")
        }
    }

    @Test("a command that hangs is killed after the timeout, and the error says so")
    func hangingCommand() async throws {
        let started = Date()
        await #expect {
            try await PosixCredentialProcessRunner(timeoutSeconds: 1).run(["/bin/sh", "-c", "exec sleep 600"])
        } throws: { ($0 as? CredentialProcessLaunchError)?.reason == "it did not finish within 1 s and was killed" }
        // Not a speed bound: a runner that waited for the command instead of killing it would take
        // the command's whole 600 s. (A loaded CI machine, its two cooperative threads busy with
        // other suites, took 40 s to get here with the kill: a 30 s command was too short a bound.)
        #expect(Date().timeIntervalSince(started) < 600, "the runner waited for the command to finish instead of killing it")
    }

    @Test("a missing program, an unterminated quote and bad output are errors naming the profile")
    func otherFailures() async throws {
        let home = try S3TemporaryHome()
        await #expect {
            try await Self.provider(home, command: "/nonexistent/helper --x").lookup()
        } throws: {
            "\($0)".contains("credential_process of profile \"proc\": /nonexistent/helper failed to run: No such file or directory")
        }
        await #expect {
            try await Self.provider(home, command: "helper 'open").lookup()
        } throws: { "\($0)".contains("its command cannot be split into words: a ' quote is not closed") }
        let path = try Self.script(home, "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'")
        await #expect {
            try await Self.provider(home, command: "'\(path)'").lookup()
        } throws: { "\($0)".contains("printed JSON without \"AccessKeyId\" or \"SecretAccessKey\"") }
    }
}
