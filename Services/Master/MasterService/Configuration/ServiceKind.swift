/// The services the master runs. Declaration order is start order (data, worker, edge);
/// they stop in reverse, so a service never outlives the instances it depends on.
public enum ServiceKind: String, CaseIterable, Sendable, Codable {
    case data
    case worker
    case edge

    /// Whether a replacement can run beside the instance it replaces. Data and worker instances
    /// get a second set of ports for that; the edge cannot, because its public HTTP port is
    /// fixed and it does not bind with SO_REUSEPORT, so its replacement must wait until the
    /// old instance has released the port.
    public var canOverlap: Bool { self != .edge }
}
