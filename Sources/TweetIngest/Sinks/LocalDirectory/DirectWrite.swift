import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes an object's bytes past the page cache (`O_DIRECT`).
///
/// Every object is fsynced before it is renamed into place, so a buffered write pays twice: the
/// kernel copies the bytes into freshly allocated page-cache pages, then writes them back. For an
/// object buffer (megabytes) that copy is most of the CPU time of a replay: on the 2-core CI
/// machine 330 MB of records took ~0.7 s of kernel time buffered and ~0.05 s direct. Direct I/O
/// needs block-aligned memory, lengths and offsets, so the bytes go through a page-aligned
/// staging buffer of at most 4 MiB in whole 4 KiB blocks, and the file is cut back to its true
/// length at the end.
/// A file system without direct I/O (tmpfs, some network or FUSE mounts) gets the plain write.
/// The staging mapping is kept from one object to the next while objects keep coming (faulting
/// in fresh huge pages per object was 4% of a replay) and let go before the daemon sleeps
/// (`releaseStaging`, from `AllocatorTuning.releaseFreeMemory`), so an idle daemon holds none.
enum DirectWrite {
    /// Smaller files (checkpoints, health state) are written normally.
    static let threshold = 1 << 20
    static let block = 4096

    /// `O_DIRECT`, which the Glibc module does not export (its value differs by architecture).
    static var flag: Int32 {
        #if arch(x86_64) || arch(i386)
            0o40000
        #else
            0o200000  // arm64 and most other Linux ports
        #endif
    }

    enum Outcome: Equatable {
        /// Every byte is in the file, which has exactly `count` bytes.
        case written
        /// The file system refused direct I/O before anything was written: write it normally.
        case unsupported
        /// A write failed (`errno` says why).
        case failed
    }

    /// Bytes staged per write: two huge pages, so a 128 MiB object costs no 128 MiB copy.
    static let stagingBytes = 4 << 20

    /// Writes `bytes` from offset 0 of `fd`, which was opened with `O_DIRECT`, through a
    /// page-aligned staging buffer of at most `stagingBytes`. On `.unsupported` the descriptor's
    /// `O_DIRECT` is cleared so the caller can write normally.
    static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Outcome {
        #if canImport(Glibc)
            let staging = min(stagingBytes, (bytes.count + block - 1) / block * block)
            guard let source = bytes.baseAddress, let buffer = StagingBuffer.take(minimum: staging) else {
                return clearDirect(fd) ? .unsupported : .failed
            }
            defer { StagingBuffer.give(back: buffer) }
            let aligned = buffer.aligned
            var chunkStart = 0
            while chunkStart < bytes.count {
                let count = min(staging, bytes.count - chunkStart)
                let padded = (count + block - 1) / block * block
                aligned.copyMemory(from: source + chunkStart, byteCount: count)
                if padded > count { (aligned + count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - count) }
                var done = 0
                while done < padded {
                    let n = pwrite(fd, aligned + done, padded - done, off_t(chunkStart + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        // Refused before anything was written: the file system has no direct I/O.
                        if chunkStart == 0, done == 0, errno == EINVAL { return clearDirect(fd) ? .unsupported : .failed }
                        return .failed
                    }
                    if n == 0 { return .failed }
                    done += n
                    // A short write off a block boundary: go on without O_DIRECT.
                    if done % block != 0, !clearDirect(fd) { return .failed }
                }
                chunkStart += count
            }
            return ftruncate(fd, off_t(bytes.count)) == 0 ? .written : .failed
        #else
            return .unsupported
        #endif
    }

    /// Unmaps the kept staging buffer (the daemon is about to sleep).
    static func releaseStaging() {
        StagingBuffer.release()
    }

    /// One page-aligned anonymous mapping, starting on a 2 MiB boundary so it is whole huge
    /// pages, kept between writes. Addresses are stored as integers: the mapping is owned here.
    struct StagingBuffer {
        var mapping: Int
        var length: Int
        var capacity: Int

        var aligned: UnsafeMutableRawPointer {
            let huge = 2 << 20
            return UnsafeMutableRawPointer(bitPattern: (mapping + huge - 1) / huge * huge)!
        }

        private static let kept = Mutex<StagingBuffer?>(nil)

        static func take(minimum: Int) -> StagingBuffer? {
            if let buffer = kept.withLock({ kept -> StagingBuffer? in
                defer { kept = nil }
                return kept
            }) {
                if buffer.capacity >= minimum { return buffer }
                buffer.unmap()
            }
            #if canImport(Glibc)
                let huge = 2 << 20
                let capacity = (minimum + huge - 1) / huge * huge
                let length = capacity + huge
                guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                    mapping != MAP_FAILED
                else { return nil }
                adviseHugePages(UnsafeMutableRawBufferPointer(start: mapping, count: length))
                return StagingBuffer(mapping: Int(bitPattern: mapping), length: length, capacity: capacity)
            #else
                return nil
            #endif
        }

        static func give(back buffer: StagingBuffer) {
            let spare = kept.withLock { kept -> StagingBuffer? in
                guard kept == nil else { return buffer }
                kept = buffer
                return nil
            }
            spare?.unmap()
        }

        static func release() {
            kept.withLock { kept -> StagingBuffer? in
                defer { kept = nil }
                return kept
            }?.unmap()
        }

        func unmap() {
            #if canImport(Glibc)
                munmap(UnsafeMutableRawPointer(bitPattern: mapping), length)
            #endif
        }
    }

    private static func clearDirect(_ fd: Int32) -> Bool {
        #if canImport(Glibc)
            let flags = fcntl(fd, F_GETFL)
            return flags >= 0 && fcntl(fd, F_SETFL, flags & ~flag) == 0
        #else
            return true
        #endif
    }
}
