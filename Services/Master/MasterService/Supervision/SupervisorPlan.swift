/// What the supervisor decides from: the slots of every service, their order, and the policies.
public struct SupervisorPlan: Sendable, Equatable {
    public struct Service: Sendable, Equatable {
        public var instances: Int
        public var ports: ServicePorts
        public var recycle: RecyclePolicy

        public init(instances: Int, ports: ServicePorts, recycle: RecyclePolicy = RecyclePolicy()) {
            self.instances = instances
            self.ports = ports
            self.recycle = recycle
        }

        /// See ``ServicePorts/canOverlap``.
        public var canOverlap: Bool { ports.canOverlap }
    }

    public var services: [ServiceName: Service]
    /// Start order, every service after the peers it calls; they stop in reverse, so a
    /// service never outlives the instances it depends on.
    public var order: [ServiceName]
    public var restart: RestartPolicy
    /// How long a ready replacement runs beside its predecessor before the predecessor is
    /// stopped: callers reconnect to a new address with a backoff of up to a second, and
    /// stopping the old instance before they found the new one would leave a lone slot
    /// without a connected instance.
    public var handoverDelay: Duration
    /// Services a SIGHUP rolls through, in start order.
    public var reloadServices: Set<ServiceName>

    /// - Parameter reloadServices: Nil: every service whose replacement can overlap.
    public init(
        services: [ServiceName: Service],
        order: [ServiceName],
        restart: RestartPolicy = RestartPolicy(),
        handoverDelay: Duration = .milliseconds(1500),
        reloadServices: Set<ServiceName>? = nil
    ) {
        self.services = services
        self.order = order
        self.restart = restart
        self.handoverDelay = handoverDelay
        self.reloadServices = reloadServices ?? Set(services.filter(\.value.canOverlap).keys)
    }

    /// The plan of a valid topology: its services in start order.
    public init(
        topology: Topology, restart: RestartPolicy = RestartPolicy(), handoverDelay: Duration = .milliseconds(1500),
        reloadServices: Set<ServiceName>? = nil
    ) {
        var services: [ServiceName: Service] = [:]
        for spec in topology.services {
            services[spec.name] = Service(instances: spec.instances, ports: spec.ports, recycle: spec.recycle)
        }
        self.init(
            services: services, order: topology.startOrder ?? topology.services.map(\.name), restart: restart,
            handoverDelay: handoverDelay,
            reloadServices: reloadServices ?? Set(topology.services.filter(\.reload).map(\.name)))
    }

    func instances(of service: ServiceName) -> Int {
        services[service]?.instances ?? 0
    }

    func canOverlap(_ service: ServiceName) -> Bool {
        services[service]?.canOverlap ?? true
    }

    func ports(of instance: InstanceID, alternative: Int) -> InstancePorts {
        let layout = services[instance.slot.service]?.ports ?? ServicePorts(adminBase: 0)
        return layout.ports(index: instance.slot.index, alternative: alternative)
    }

    /// Slots in start order, then by index.
    func sorted(_ slots: some Sequence<SlotID>) -> [SlotID] {
        slots.sorted { lhs, rhs in
            guard lhs.service != rhs.service else { return lhs.index < rhs.index }
            let left = order.firstIndex(of: lhs.service) ?? order.count
            let right = order.firstIndex(of: rhs.service) ?? order.count
            return left == right ? lhs.service < rhs.service : left < right
        }
    }
}
