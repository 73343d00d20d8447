import CZlib

/// gzip (RFC 1952) over zlib, the format Firehose writes for `GZIP` compression.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public var code: Int32
        public var description: String { "zlib failed with code \(code)" }
    }

    /// Compresses in 256 KiB output steps, so a 128 MiB buffer does not need a second,
    /// zero-filled 128 MiB array beside it; the result is about a seventh of the input.
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { throw Failure(code: Z_STREAM_ERROR) }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 6 + 1024)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { destination in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = UInt32(destination.count)
                    status = deflate(&stream, Z_FINISH)
                    return destination.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { throw Failure(code: status) }
                output.append(contentsOf: chunk[0..<produced])
            } while status != Z_STREAM_END
        }
        return output
    }

    /// For tests and the benchmark: reads back what `compress` wrote (concatenated members too).
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < input.count {
            var stream = z_stream()
            guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw Failure(code: Z_STREAM_ERROR) }
            defer { inflateEnd(&stream) }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            var status: Int32 = Z_OK
            try input.withUnsafeBufferPointer { source in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + offset)
                stream.avail_in = UInt32(source.count - offset)
                repeat {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { destination in
                        stream.next_out = destination.baseAddress
                        stream.avail_out = UInt32(destination.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return destination.count - Int(stream.avail_out)
                    }
                    guard status == Z_OK || status == Z_STREAM_END else { throw Failure(code: status) }
                    output.append(contentsOf: chunk[0..<produced])
                } while status != Z_STREAM_END
                offset = source.count - Int(stream.avail_in)
            }
        }
        return output
    }
}

/// CRC-32 (IEEE 802.3, the one gzip and S3's `x-amz-checksum-crc32` use) over zlib's `crc32`;
/// here because this is the one file that imports zlib.
public enum CRC32 {
    /// The CRC-32 of `bytes`, fed to zlib in steps that fit its 32-bit length parameter.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = crc32(0, nil, 0)
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, buffer.baseAddress! + offset, UInt32(count))
                offset += count
            }
        }
        return UInt32(crc)
    }
}
