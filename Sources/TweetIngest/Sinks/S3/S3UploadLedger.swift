import Synchronization

/// What one `S3Sink` remembers between writes: multipart uploads whose abort failed (until the
/// commit protocol takes them to keep with the checkpoint), and keys whose completed object
/// failed its checksum check and could not be removed, so that a later `If-None-Match: *` refusal
/// on such a key is not taken for our own good earlier write.
final class S3UploadLedger: Sendable {
    private struct State {
        var abandoned: [AbandonedUpload] = []
        var unverified: Set<String> = []
    }

    private let state = Mutex(State())

    func abandon(_ upload: AbandonedUpload) {
        state.withLock { state in
            if !state.abandoned.contains(upload) { state.abandoned.append(upload) }
        }
    }

    func takeAbandoned() -> [AbandonedUpload] {
        state.withLock { state in
            defer { state.abandoned = [] }
            return state.abandoned
        }
    }

    func markUnverified(_ key: String) { _ = state.withLock { $0.unverified.insert(key) } }
    func markVerified(_ key: String) { _ = state.withLock { $0.unverified.remove(key) } }
    func isUnverified(_ key: String) -> Bool { state.withLock { $0.unverified.contains(key) } }
}
