import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process whose output the test reads line by line as it arrives. Every wait is
/// bounded and woken by the event itself (a line, an exit), never by sleeping; the process is
/// killed when the value goes away, so a failing test leaves nothing running.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let condition = NSCondition()
    private var stdoutLines: [String] = []
    private var stderrText = ""
    private var partial = ""
    private var exited = false
    private var openStreams = 2

    init(
        executable: String, arguments: [String], environment: [String: String], currentDirectory: String? = nil,
        standardInput: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = standardInput == nil ? FileHandle.nullDevice : input
        read(out) { $0.appendStdout($1) }
        read(err) { process, text in
            process.condition.lock()
            process.stderrText += text
            process.condition.broadcast()
            process.condition.unlock()
        }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.condition.lock()
            self.exited = true
            self.condition.broadcast()
            self.condition.unlock()
        }
        try process.run()
        if let standardInput {
            let writer = input.fileHandleForWriting
            // A background writer, so a large input cannot block on a full pipe.
            Thread {
                writer.write(Data(standardInput.utf8))
                try? writer.close()
            }.start()
        }
    }

    /// Hands what arrives on the pipe to `received` until end of file.
    private func read(_ pipe: Pipe, _ received: @escaping @Sendable (ChildProcess, String) -> Void) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.closeStream()
                return
            }
            received(self, String(decoding: data, as: UTF8.self))
        }
    }

    private func closeStream() {
        condition.lock()
        openStreams -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func appendStdout(_ text: String) {
        condition.lock()
        partial += text
        while let newline = partial.firstIndex(of: "\n") {
            stdoutLines.append(String(partial[..<newline]))
            partial = String(partial[partial.index(after: newline)...])
        }
        condition.broadcast()
        condition.unlock()
    }

    var lines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return stdoutLines
    }

    var standardError: String {
        condition.lock()
        defer { condition.unlock() }
        return stderrText
    }

    /// Everything printed so far, both streams.
    var allOutput: String { lines.joined(separator: "\n") + "\n" + standardError }

    /// Waits until `count` stdout lines satisfy `predicate`; false if the process exits or the
    /// bound passes first.
    @discardableResult
    func waitForLines(count: Int = 1, timeout: TimeInterval, where predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stdoutLines.filter(predicate).count >= count { return true }
            if exited || Date() >= deadline { return false }
            _ = condition.wait(until: deadline)
        }
    }

    /// Waits for the exit and returns its status, or nil if the bound passed (the process is
    /// then killed).
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while !exited, Date() < deadline { _ = condition.wait(until: deadline) }
        let done = exited
        condition.unlock()
        guard done else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        process.waitUntilExit()
        // Read to the end of both pipes, so nothing printed just before the exit is missed.
        condition.lock()
        while openStreams > 0, Date() < deadline.addingTimeInterval(5) { _ = condition.wait(until: deadline.addingTimeInterval(5)) }
        condition.unlock()
        return process.terminationStatus
    }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
