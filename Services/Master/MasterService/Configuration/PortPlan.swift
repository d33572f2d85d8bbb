/// The ports of one instance: `rpc` for a service others call, `http` for one with a public
/// HTTP listener, `admin` for all.
public struct InstancePorts: Sendable, Equatable, Codable {
    public var rpc: Int?
    public var admin: Int
    public var http: Int?
}

/// Where a service's instances listen, derived from base ports.
///
/// Slot `i` of a service that can overlap owns two ports of each kind, `base + 2i` and
/// `base + 2i + 1` ("alternatives"). A replacement takes the alternative its predecessor
/// does not use, so both can run at once during a recycle or chain reload. The clients of
/// the service get a fixed list of every alternative of every slot: the RPC client ejects
/// the addresses nobody listens on and connects again (within a second) when one comes up.
/// That keeps the callers' configuration constant, which matters because the RPC client only
/// re-resolves `dns://` targets, never a host list.
///
/// The edge's public HTTP port is `base + i` with no alternative: browsers cannot follow a
/// port change.
public struct ServicePorts: Sendable, Equatable {
    public var rpcBase: Int?
    public var adminBase: Int
    public var httpBase: Int?

    public init(rpcBase: Int? = nil, adminBase: Int, httpBase: Int? = nil) {
        self.rpcBase = rpcBase
        self.adminBase = adminBase
        self.httpBase = httpBase
    }

    /// Whether a replacement can run beside the instance it replaces, on the slot's other
    /// ports. Not with a public HTTP port: it is fixed and bound without SO_REUSEPORT, so
    /// the replacement must wait until the old instance has released it.
    public var canOverlap: Bool { httpBase == nil }

    public func ports(index: Int, alternative: Int) -> InstancePorts {
        let offset = 2 * index + alternative
        return InstancePorts(
            rpc: rpcBase.map { $0 + offset },
            admin: adminBase + offset,
            http: httpBase.map { $0 + index }
        )
    }

    /// Every port `instances` slots may use, for overlap and range checks.
    public func allPorts(instances: Int) -> [Int] {
        (0..<instances).flatMap { index in
            (0...1).flatMap { alternative in
                let ports = ports(index: index, alternative: alternative)
                return [ports.rpc, ports.admin, alternative == 0 ? ports.http : nil].compactMap { $0 }
            }
        }
    }

    /// `host:p0,host:p1,…` over both alternatives of every slot: what callers are given.
    public func rpcTarget(host: String, instances: Int) -> String? {
        guard instances > 0, rpcBase != nil else { return nil }
        let address = host.contains(":") ? "[\(host)]" : host
        return (0..<instances)
            .flatMap { index in (0...1).compactMap { ports(index: index, alternative: $0).rpc } }
            .map { "\(address):\($0)" }
            .joined(separator: ",")
    }
}
