/// One invalid setting: the variable, its value (redacted for secrets) and what is allowed.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var value: String?
    public var allowed: String

    public init(variable: String, value: String?, allowed: String) {
        self.variable = variable
        self.value = value
        self.allowed = allowed
    }

    public var description: String {
        if let value {
            return "\(variable)=\(Self.quote(value)) is invalid: \(allowed)"
        }
        return "\(variable) is not set: \(allowed)"
    }

    private static func quote(_ value: String) -> String {
        let shown = value.count > 80 ? String(value.prefix(77)) + "..." : value
        return "\"" + shown.replacingEvery("\n", with: "\\n") + "\""
    }
}

/// Invalid configuration; the process exits 78 (EX_CONFIG) before doing anything.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }

    /// One line per problem.
    public var description: String {
        problems.map { "configuration error: \($0)" }.joined(separator: "\n")
    }
}
