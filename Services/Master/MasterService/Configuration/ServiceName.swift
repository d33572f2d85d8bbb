/// The name of a service in the topology, e.g. `worker`. It names the service's flags
/// (`--worker-instances`), its environment variables (`WORKER_INSTANCES`), its slots in the
/// state (`worker#0`) and, by default, its executable and the flag its callers get
/// (`--worker-target`).
public struct ServiceName: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { rawValue }

    /// Lower-case letters, digits and inner dashes, starting with a letter: the name becomes
    /// part of flags and environment variable names.
    public var isValid: Bool {
        let bytes = Array(rawValue.utf8)
        guard let first = bytes.first, let last = bytes.last, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            last != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// The prefix of the service's environment variables: `api-gateway` gives `API_GATEWAY`.
    public var environmentPrefix: String {
        String(rawValue.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
