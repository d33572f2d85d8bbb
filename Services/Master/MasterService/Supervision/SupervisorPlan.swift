/// What the supervisor decides from: the slots of every service, and the policies.
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
    }

    public var services: [ServiceKind: Service]
    public var restart: RestartPolicy
    /// How long a ready replacement runs beside its predecessor before the predecessor is
    /// stopped: callers reconnect to a new address with a backoff of up to a second, and
    /// stopping the old instance before they found the new one would leave a lone slot
    /// without a connected instance.
    public var handoverDelay: Duration
    /// Services a SIGHUP rolls through, in start order.
    public var reloadServices: Set<ServiceKind>

    public init(
        services: [ServiceKind: Service],
        restart: RestartPolicy = RestartPolicy(),
        handoverDelay: Duration = .milliseconds(1500),
        reloadServices: Set<ServiceKind> = [.data, .worker]
    ) {
        self.services = services
        self.restart = restart
        self.handoverDelay = handoverDelay
        self.reloadServices = reloadServices
    }

    func instances(of service: ServiceKind) -> Int {
        services[service]?.instances ?? 0
    }

    func ports(of instance: InstanceID, alternative: Int) -> InstancePorts {
        let layout = services[instance.slot.service]?.ports ?? ServicePorts(adminBase: 0)
        return layout.ports(index: instance.slot.index, alternative: alternative)
    }
}
