/// How many calls one client connection may carry. Call ids are 32 bits and the server
/// refuses an id still in flight, so ids must never wrap on a connection: well before the last
/// one, the client opens a fresh connection and retires this one (no new calls; the calls in
/// flight finish). The counter behind the call numbers is 64 bits and never wraps.
public struct CallIDSpace: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case use(UInt32)
        /// Use it, and start replacing the connection: it has reached `retireAfter`.
        case useAndRetire(UInt32)
        /// Every id is spent; the call must go elsewhere (it was never sent, so it may).
        case exhausted
    }

    /// The call number at which a replacement connection is opened. Half the id space leaves
    /// two billion calls of headroom for the replacement to come up.
    public let retireAfter: UInt64
    /// The last call number that is sent at all.
    public let lastUsable: UInt64

    public init(retireAfter: UInt64 = 1 << 31, lastUsable: UInt64 = UInt64(UInt32.max)) {
        self.lastUsable = max(1, min(lastUsable, UInt64(UInt32.max)))
        self.retireAfter = max(1, min(retireAfter, self.lastUsable))
    }

    /// - Parameter callNumber: 1 for a connection's first call, 2 for its second, …
    public func verdict(forCallNumber callNumber: UInt64) -> Verdict {
        guard callNumber >= 1, callNumber <= lastUsable else { return .exhausted }
        let id = UInt32(truncatingIfNeeded: callNumber)
        return callNumber == retireAfter ? .useAndRetire(id) : .use(id)
    }
}
