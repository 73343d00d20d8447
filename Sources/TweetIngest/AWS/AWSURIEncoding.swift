/// The percent-encoding AWS uses in SigV4: RFC 3986, where only the unreserved characters
/// `A-Z a-z 0-9 - _ . ~` stay literal and every other UTF-8 byte becomes `%XX` with uppercase hex.
/// Foundation's URL encoders keep more characters (`+`, `=`, `$`, ...), which S3 would then sign
/// differently from us, so the signer and the code that builds S3 URLs both use this one.
public enum AWSURIEncoding {
    /// Encodes `text`; with `encodeSlash: false`, `/` stays literal (for object keys in paths).
    public static func encode(_ text: String, encodeSlash: Bool = true) -> String {
        encode(bytes: text.utf8, encodeSlash: encodeSlash)
    }

    static func encode(bytes: some Sequence<UInt8>, encodeSlash: Bool = true) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (byte == UInt8(ascii: "/") && !encodeSlash) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` escapes to bytes; nil when a `%` is not followed by two hex digits. `+` is
    /// left alone: RFC 3986 paths and AWS query strings do not use it for space.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                continue
            }
            guard let high = bytes.popFirst().flatMap(hexValue), let low = bytes.popFirst().flatMap(hexValue)
            else { return nil }
            output.append(high << 4 | low)
        }
        return output
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
