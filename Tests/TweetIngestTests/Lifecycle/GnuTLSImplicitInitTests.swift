import Testing

@testable import TweetIngest

@Suite("GnuTLS implicit initialisation")
struct GnuTLSImplicitInitTests {
    private func decide(set: Bool, _ command: String?) -> Bool {
        guard let command else { return GnuTLSImplicitInit.shouldReexec(variableIsSet: set, command: nil) }
        return command.withCString { GnuTLSImplicitInit.shouldReexec(variableIsSet: set, command: $0) }
    }

    @Test func theDaemonExecsAgainWhenTheVariableIsUnset() {
        for command in [nil, "run", "--once", "--help"] {
            #expect(decide(set: false, command), "\(command ?? "no command")")
        }
    }

    @Test func shortCommandsDoNot() {
        for command in ["replay", "estimate", "check-config", "healthcheck", "help", "runner", ""] {
            #expect(!decide(set: false, command), "\(command)")
        }
    }

    @Test func aValueTheUserSetStands() {
        for command in [nil, "run", "--once"] {
            #expect(!decide(set: true, command), "\(command ?? "no command")")
        }
    }
}
