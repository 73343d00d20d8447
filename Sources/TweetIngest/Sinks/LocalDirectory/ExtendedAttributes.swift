import CXattr

/// A file's extended attributes (xattr(7)): where a local object keeps its facts.
enum ExtendedAttributes {
    /// Best effort: a file system without user attributes (some tmpfs, FAT) refuses, and the
    /// file is written all the same.
    static func set(_ name: String, _ value: String, descriptor: Int32) {
        _ = Array(value.utf8).withUnsafeBytes { fsetxattr(descriptor, name, $0.baseAddress, $0.count, 0) }
    }

    /// Every attribute whose name starts with `prefix`, keyed by the rest of the name.
    static func all(at path: String, prefix: String) -> [String: String] {
        var names = [CChar](repeating: 0, count: 4096)
        let length = listxattr(path, &names, names.count)
        guard length > 0 else { return [:] }
        var found: [String: String] = [:]
        for raw in names[0..<length].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard name.hasPrefix(prefix) else { continue }
            var value = [UInt8](repeating: 0, count: 2048)
            let size = getxattr(path, name, &value, value.count)
            if size >= 0 { found[String(name.dropFirst(prefix.count))] = String(decoding: value[0..<size], as: UTF8.self) }
        }
        return found
    }
}
