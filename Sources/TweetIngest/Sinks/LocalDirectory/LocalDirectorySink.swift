import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes objects under a local folder with the same key layout as S3, so `swift run` works with
/// no cloud account. Each file appears whole: written to a temporary name, synced, then renamed
/// (or, create-only, hard-linked: an existing file is never replaced). An object's facts are its
/// `user.tweet-ingest.<name>` extended attributes, set before it appears.
public struct LocalDirectorySink: Sink, CheckpointStore, RecoverableSink {
    public let root: String
    public let streamName: String
    private let lock = StreamLock()

    public init(root: String, streamName: String) {
        self.root = root
        self.streamName = streamName
    }

    public var destination: String { "file://" + (root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root) }

    public func deliver(_ object: DeliveryObject) async throws {
        try Self.writeAtomically(object.body, to: root + "/" + object.key, createOnly: object.createOnly, facts: object.metadata)
    }

    public func objectExists(_ key: String) async throws -> Bool {
        access(root + "/" + key, F_OK) == 0
    }

    public func removeObject(_ key: String) async throws {
        let path = root + "/" + key
        guard unlink(path) == 0 || errno == ENOENT else { throw LocalSinkError.posix(path, "remove") }
        Self.syncFolder(PathText.parent(of: path))
    }

    /// A local write's unfinished part is its temporary file (`.<name>.tmp-<pid>`): removed.
    public func abortUnfinishedUploads(key: String) async throws -> Int {
        let path = root + "/" + key
        let directory = PathText.parent(of: path)
        let prefix = "." + PathText.lastComponent(of: path) + ".tmp-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(prefix) && unlink(directory + "/" + name) == 0 {
            removed += 1
        }
        return removed
    }

    public func takeAbandonedUploads() -> [AbandonedUpload] { [] }
    public func abortUpload(_ upload: AbandonedUpload) async throws {}

    /// The facts `deliver` stored with a file (`user.tweet-ingest.<name>`), for tests and tools;
    /// empty when the file system keeps no extended attributes.
    public static func facts(at path: String) -> [String: String] {
        ExtendedAttributes.all(at: path, prefix: factPrefix)
    }

    static let factPrefix = "user.tweet-ingest."

    public var checkpointPath: String { root + "/_state/" + streamName + ".json" }

    /// Also takes the stream's lock (`_state/<STREAM_NAME>.lock`, held until the process ends):
    /// a second daemon on the same folder and stream stops here.
    public func load() async throws -> Checkpoint? {
        try lock.acquire(path: root + "/_state/" + streamName + ".lock", checkpoint: checkpointPath)
        guard let data = FileManager.default.contents(atPath: checkpointPath) else { return nil }
        do {
            return try Checkpoint.decode(Array(data))
        } catch {
            throw LocalSinkError(
                path: checkpointPath, operation: "read the checkpoint",
                reason: "it is not a valid checkpoint (\(error)); move it away to start from TWITTER_START_TIME")
        }
    }

    public func save(_ checkpoint: Checkpoint) async throws {
        try Self.writeAtomically(try checkpoint.encoded(), to: checkpointPath)
    }

    /// Temp file in the same folder, fsync, rename, fsync the folder: a reader sees the old file
    /// or the new one, never half of one, even across a crash.
    static func writeAtomically(
        _ bytes: [UInt8], to path: String, sync: Bool = true, createOnly: Bool = false, facts: [ObjectFact] = []
    ) throws {
        let directory = PathText.parent(of: path)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LocalSinkError(path: directory, operation: "create the folder", reason: fileErrorReason(error))
        }
        let name = PathText.lastComponent(of: path)
        let temporary = directory + "/." + name + ".tmp-" + String(getpid())
        // An object buffer goes past the page cache (see DirectWrite); small files do not.
        var direct = sync && bytes.count >= DirectWrite.threshold
        var fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? DirectWrite.flag : 0), 0o644)
        if fd < 0, direct, errno == EINVAL {
            direct = false
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw LocalSinkError.posix(temporary, "create") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            if direct {
                switch DirectWrite.write(buffer, to: fd) {
                case .written: return true
                case .failed: return false
                case .unsupported: break
                }
            }
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        // Best effort: a file system without user extended attributes still gets the object.
        for fact in facts {
            ExtendedAttributes.set(factPrefix + fact.name, fact.value, descriptor: fd)
        }
        guard ok, !sync || fsync(fd) == 0 else {
            let error = LocalSinkError.posix(temporary, "write")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if createOnly {
            // link() never replaces: a file already there is this write's own earlier attempt.
            if link(temporary, path) != 0, errno != EEXIST {
                let error = LocalSinkError.posix(path, "link into place")
                unlink(temporary)
                throw error
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else {
                let error = LocalSinkError.posix(path, "rename into place")
                unlink(temporary)
                throw error
            }
        }
        if sync { syncFolder(directory) }
    }

    static func syncFolder(_ directory: String) {
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}

/// An exclusive `flock` on a file beside the checkpoint, released by the kernel when the
/// process ends, however it ends.
final class StreamLock: Sendable {
    private let descriptor = Mutex<Int32?>(nil)

    func acquire(path: String, checkpoint: String) throws {
        try descriptor.withLock { held in
            guard held == nil else { return }
            let directory = PathText.parent(of: path)
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw LocalSinkError.posix(path, "open the lock file") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingWhitespace()
                close(fd)
                throw CheckpointConflictError(
                    location: checkpoint, detail: "the lock \(path) is held by process \(owner.map { $0.isEmpty ? "?" : $0 } ?? "?")")
            }
            _ = ftruncate(fd, 0)
            let pid = Array("\(getpid())\n".utf8)
            _ = pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            held = fd
        }
    }
}

public struct LocalSinkError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String

    static func posix(_ path: String, _ operation: String) -> LocalSinkError {
        LocalSinkError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    public var description: String {
        "could not \(operation) \(path): \(reason). Check that OUTPUT_DIR is writable and the disk has space."
    }
}
