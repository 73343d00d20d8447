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
    private var stderrBytes: [UInt8] = []
    private var partial: [UInt8] = []
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
        readToEnd(out, stdout: true)
        readToEnd(err, stdout: false)
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

    /// Reads the pipe to its end on a thread of its own, with blocking reads: the bytes arrive
    /// whole and in order however loaded the machine is (a multi-byte character split between
    /// two reads is decoded whole, as lines are cut only at a newline).
    private func readToEnd(_ pipe: Pipe, stdout: Bool) {
        let handle = pipe.fileHandleForReading
        let descriptor = handle.fileDescriptor
        // Weak, so a value dropped while its process still runs goes away and kills it (deinit).
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                self?.received(buffer[0..<count], stdout: stdout)
            }
            self?.closeStream(stdout: stdout)
            try? handle.close()  // the thread owns the read end, so it cannot close under a read
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private func received(_ bytes: ArraySlice<UInt8>, stdout: Bool) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        guard stdout else {
            stderrBytes += bytes
            return
        }
        // Only the new bytes are searched for a newline, so a long line costs its length once.
        var searchFrom = partial.count
        partial += bytes
        var lineStart = 0
        while let newline = partial[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
            stdoutLines.append(String(decoding: partial[lineStart..<newline], as: UTF8.self))
            lineStart = newline + 1
            searchFrom = lineStart
        }
        if lineStart > 0 { partial.removeFirst(lineStart) }
    }

    private func closeStream(stdout: Bool) {
        condition.lock()
        // Output that does not end with a newline still ends with a line.
        if stdout, !partial.isEmpty {
            stdoutLines.append(String(decoding: partial, as: UTF8.self))
            partial.removeAll()
        }
        openStreams -= 1
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
        return String(decoding: stderrBytes, as: UTF8.self)
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
        // Read to the end of both pipes, so nothing printed just before the exit is missed (bounded:
        // a grandchild that inherited a pipe may hold it open).
        let drained = Date().addingTimeInterval(10)
        condition.lock()
        while openStreams > 0, Date() < drained { _ = condition.wait(until: drained) }
        condition.unlock()
        return process.terminationStatus
    }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
