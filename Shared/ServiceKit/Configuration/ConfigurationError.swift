/// Everything wrong with a service's configuration, reported at once so an operator fixes
/// all problems in one round trip instead of one restart per typo.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// One sentence per problem, each naming the flag and environment variable involved.
    public let problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    /// A single line: process supervisors and log collectors show the first line of
    /// stderr, and the problems themselves never contain line breaks (values are quoted).
    public var description: String {
        problems.joined(separator: "; ")
    }
}

extension String {
    /// The string in double quotes with quotes, backslashes and control characters escaped,
    /// so an arbitrary value can be shown inside a one-line message.
    var quotedForMessage: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
