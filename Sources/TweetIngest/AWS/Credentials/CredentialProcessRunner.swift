import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished command left: its exit status (or signal), standard output and error.
public struct CredentialProcessOutput: Sendable, Equatable {
    public var exitStatus: Int32
    /// Set when a signal ended the process.
    public var signal: Int32?
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public init(exitStatus: Int32, signal: Int32? = nil, standardOutput: [UInt8], standardError: [UInt8]) {
        self.exitStatus = exitStatus
        self.signal = signal
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    var exitDescription: String { signal.map { "signal \($0)" } ?? "status \(exitStatus)" }
}

public struct CredentialProcessLaunchError: Error, Sendable {
    public var reason: String
}

/// Runs `credential_process` commands; tests script one.
public protocol CredentialProcessRunning: Sendable {
    /// `arguments[0]` is looked up in `PATH` like the SDKs do; nothing is given on stdin.
    func run(_ arguments: [String]) async throws -> CredentialProcessOutput
}

/// `posix_spawnp` with stdin from /dev/null and both outputs read through `poll`, so a chatty
/// stderr cannot block the child while we wait for stdout. The only file that spawns processes.
public struct PosixCredentialProcessRunner: CredentialProcessRunning {
    /// Output beyond this is an error: a credentials document is a few kilobytes.
    public static let outputLimit = 1 << 20
    /// A command still running after this is killed: a refresh must not hang the daemon.
    public let timeoutSeconds: Int

    public init(timeoutSeconds: Int = 60) {
        self.timeoutSeconds = timeoutSeconds
    }

    /// Blocks one thread of the pool while the command runs (rarely: once per credentials lifetime).
    public func run(_ arguments: [String]) async throws -> CredentialProcessOutput {
        let timeout = timeoutSeconds
        return try await Task.detached { try Self.spawnAndWait(arguments, timeoutSeconds: timeout) }.value
    }

    static func spawnAndWait(_ arguments: [String], timeoutSeconds: Int) throws(CredentialProcessLaunchError) -> CredentialProcessOutput {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw CredentialProcessLaunchError(reason: "pipe: \(errnoText())") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw CredentialProcessLaunchError(reason: "pipe: \(errnoText())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw CredentialProcessLaunchError(reason: String(cString: strerror(spawned)))
        }
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var tooLong = false
        var timedOut = false
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Int(deadline.tv_sec) * 1000 + Int(deadline.tv_nsec) / 1_000_000 + timeoutSeconds * 1000
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while fds.contains(where: { $0.fd >= 0 }) {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let left = end - (Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000)
            let ready = left > 0 ? poll(&fds, nfds_t(fds.count), Int32(min(left, Int(Int32.max)))) : 0
            if ready == 0 {
                timedOut = true
                kill(pid, SIGKILL)
                for index in fds.indices where fds[index].fd >= 0 { close(fds[index].fd) }
                break
            }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if index == 0 { stdout += buffer[0..<count] } else { stderr += buffer[0..<count] }
                    if stdout.count + stderr.count > outputLimit { tooLong = true }
                } else if count == 0 || errno != EINTR {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
            if tooLong {
                kill(pid, SIGKILL)
                for index in fds.indices where fds[index].fd >= 0 { close(fds[index].fd) }
                break
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        if tooLong { throw CredentialProcessLaunchError(reason: "it wrote more than \(outputLimit) bytes") }
        if timedOut { throw CredentialProcessLaunchError(reason: "it did not finish within \(timeoutSeconds) s and was killed") }
        let signal = status & 0x7f
        if signal != 0 {
            return CredentialProcessOutput(exitStatus: -1, signal: signal, standardOutput: stdout, standardError: stderr)
        }
        return CredentialProcessOutput(exitStatus: (status >> 8) & 0xff, standardOutput: stdout, standardError: stderr)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
