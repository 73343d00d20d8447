import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// Small stand-ins for the parts of Foundation outside FoundationEssentials that the daemon used
// (NSString path operations, Thread, localizedDescription), so it links FoundationEssentials only.

enum PathText {
    /// The folder part of `path`, like `NSString.deletingLastPathComponent`: "/a/b" → "/a",
    /// "/a" → "/", "a" → "".
    static func parent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = withoutTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    /// The last part of `path`, like `NSString.lastPathComponent`: "/a/b/" → "b".
    static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? "/" : name
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}

/// What went wrong with a file operation, for a person: "No such file or directory" rather than
/// FoundationEssentials' `CocoaError(code: ..., userInfo: ...)`.
func fileErrorReason(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError, let posix = cocoa.underlying as? POSIXError {
        return String(cString: strerror(posix.code.rawValue))
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    return "\(error)"
}

struct ThreadStartError: Error, CustomStringConvertible {
    var name: String
    var code: Int32
    var description: String {
        "cannot start the \(name) thread: \(String(cString: strerror(code))); the process may be at its thread limit "
            + "(ulimit -u, or the container's pids limit)"
    }
}

/// Runs `body` on a new detached thread (for loops that block in a system call: accept(2),
/// librdkafka's poll); `name` says which one in the error if the system refuses a thread.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) throws(ThreadStartError) {
    final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let code = pthread_create(
        &thread, &attributes,
        { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
    guard code == 0 else {
        Unmanaged<Body>.fromOpaque(context).release()
        throw ThreadStartError(name: name, code: code)
    }
}

/// Reserves room for at least `capacity` bytes in `array` (address space: pages are touched as
/// bytes are written) and asks for huge pages over all of it (`adviseHugePages`).
func reserveInHugePages(_ array: inout [UInt8], capacity: Int) {
    array.reserveCapacity(capacity)
    let reserved = array.capacity
    array.withUnsafeMutableBufferPointer { elements in
        guard let base = elements.baseAddress else { return }
        adviseHugePages(UnsafeMutableRawBufferPointer(start: base, count: reserved))
    }
}

/// Asks for transparent huge pages (2 MiB) over the page-aligned middle of `buffer`'s capacity:
/// a 128 MiB object buffer then fills with 64 page faults instead of 32,768. Only a hint: without
/// THP (or with THP off) nothing changes; memory is still touched only as records arrive.
func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if canImport(Glibc)
        let huge = 2 << 20
        guard let base = buffer.baseAddress, buffer.count >= 2 * huge else { return }
        let start = (Int(bitPattern: base) + huge - 1) / huge * huge
        let end = (Int(bitPattern: base) + buffer.count) / huge * huge
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
    #endif
}
