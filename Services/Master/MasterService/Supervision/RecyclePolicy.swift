/// When a healthy instance is replaced anyway (uWSGI's `max-requests` and `reload-on-rss`):
/// long-lived processes leak, fragment or drift, and a planned, drained replacement is cheaper
/// than the crash it prevents.
public struct RecyclePolicy: Sendable, Equatable {
    /// Replace after this many requests (0: never).
    public var maximumRequests: Int
    /// Replace when resident memory exceeds this many bytes (0: never).
    public var maximumResidentBytes: Int

    public init(maximumRequests: Int = 0, maximumResidentBytes: Int = 0) {
        self.maximumRequests = maximumRequests
        self.maximumResidentBytes = maximumResidentBytes
    }

    public var isEnabled: Bool { maximumRequests > 0 || maximumResidentBytes > 0 }

    /// The reason to recycle an instance with this usage, or nil to keep it.
    public func reason(for usage: Usage) -> ReplacementReason? {
        if maximumRequests > 0, let requests = usage.requests, requests >= maximumRequests {
            return .requests(served: requests, limit: maximumRequests)
        }
        if maximumResidentBytes > 0, let resident = usage.residentBytes, resident > maximumResidentBytes {
            return .memory(residentBytes: resident, limit: maximumResidentBytes)
        }
        return nil
    }
}

/// What a measurement of a running instance found; nil where it could not be read.
public struct Usage: Sendable, Equatable {
    public var requests: Int?
    public var residentBytes: Int?

    public init(requests: Int? = nil, residentBytes: Int? = nil) {
        self.requests = requests
        self.residentBytes = residentBytes
    }
}

/// Why a slot's running instance is being replaced by a new one.
public enum ReplacementReason: Sendable, Equatable, CustomStringConvertible {
    case reload
    case requests(served: Int, limit: Int)
    case memory(residentBytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .reload:
            "chain reload"
        case .requests(let served, let limit):
            "served \(served) requests (limit \(limit))"
        case .memory(let resident, let limit):
            "resident memory \(resident / (1 << 20)) MiB above \(limit / (1 << 20)) MiB"
        }
    }

    var isRecycle: Bool { self != .reload }
}
