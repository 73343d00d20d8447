import FoundationEssentials

/// The string members of a JSON object, and its arrays of objects, read leniently: members of
/// other types are skipped rather than failing the whole document. For error bodies, where any
/// text we can show beats none.
struct JSONStringMembers: Decodable {
    var strings: [String: String] = [:]
    var objectLists: [String: [JSONStringMembers]] = [:]

    /// nil unless `bytes` is a JSON object.
    static func parse(_ bytes: some Collection<UInt8>) -> JSONStringMembers? {
        try? JSONDecoder().decode(JSONStringMembers.self, from: Data(bytes))
    }

    subscript(_ name: String) -> String? { strings[name] }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) {
                strings[key.stringValue] = text
            } else if let list = try? container.decode([Element].self, forKey: key) {
                objectLists[key.stringValue] = list.compactMap(\.object)
            }
        }
    }

    private struct Element: Decodable {
        var object: JSONStringMembers?
        init(from decoder: any Decoder) throws { object = try? JSONStringMembers(from: decoder) }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
