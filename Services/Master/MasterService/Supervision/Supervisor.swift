/// The process master's brain: a value-type state machine that turns events (a process
/// started, became ready, exited; a timer fired; a signal arrived) into actions (spawn,
/// signal, schedule, log). It performs no I/O, so every supervision rule — start order,
/// restart backoff, crash loops, recycling, chain reload, ordered shutdown — is tested
/// without processes; ``MasterRuntime`` does the I/O.
public struct Supervisor: Sendable {
    public enum Phase: Sendable, Equatable {
        case idle
        /// Starting this service's instances; later services wait until all of them are ready.
        case starting(ServiceName)
        case running
        /// Stopping this service's instances; earlier services wait until all of them have exited.
        case stopping(ServiceName)
        case finished
    }

    public let plan: SupervisorPlan
    public internal(set) var phase: Phase = .idle
    public internal(set) var slots: [SlotID: Slot] = [:]
    public internal(set) var queue = ReplacementQueue()
    /// Services with at least one instance, in start order.
    let tiers: [ServiceName]
    var now = Moment.now()
    var actions: [SupervisorAction] = []

    public init(plan: SupervisorPlan) {
        self.plan = plan
        self.tiers = plan.order.filter { plan.instances(of: $0) > 0 }
        for service in tiers {
            for index in 0..<plan.instances(of: service) {
                let id = SlotID(service, index)
                slots[id] = Slot(id: id)
            }
        }
    }

    /// True when every slot has a ready instance and no shutdown is under way: the master's
    /// own readiness.
    public var isServing: Bool {
        phase == .running && slots.values.allSatisfy(\.isReady)
    }

    public func slotIDs(of service: ServiceName) -> [SlotID] {
        (0..<plan.instances(of: service)).map { SlotID(service, $0) }
    }

    // MARK: Entry points

    /// Starts the first service's instances.
    public mutating func start(at moment: Moment) -> [SupervisorAction] {
        begin(moment)
        if let first = tiers.first {
            startTier(first)
        } else {
            phase = .running
            log(.warning, "no instances configured")
        }
        return actions
    }

    public mutating func handle(_ event: SupervisorEvent, at moment: Moment) -> [SupervisorAction] {
        begin(moment)
        switch event {
        case .spawned(let id, let pid): spawned(id, pid: pid)
        case .spawnFailed(let id, let reason): ended(id, status: .notStarted(reason: reason))
        case .ready(let id): becameReady(id)
        case .readinessTimedOut(let id): readinessTimedOut(id)
        case .exited(let id, let status): ended(id, status: status)
        case .restartDue(let slot): restartDue(slot)
        case .handoverDue(let id): handOver(to: id)
        case .stopTimedOut(let id): stopTimedOut(id)
        case .measured(let id, let usage): measured(id, usage: usage)
        case .tick: tick()
        case .reloadRequested: reloadRequested()
        case .rebuilt(let service): rebuilt(service)
        case .shutdownRequested: shutdownRequested()
        }
        return actions
    }

    private mutating func begin(_ moment: Moment) {
        now = moment
        actions = []
    }

    // MARK: Helpers shared by the extensions

    mutating func log(_ level: LogEntry.Level, _ message: String, _ metadata: [String: String] = [:]) {
        actions.append(.log(LogEntry(level, message, metadata)))
    }

    func metadata(_ instance: Instance, _ extra: [String: String] = [:]) -> [String: String] {
        var fields = [
            "instance": instance.id.slot.description,
            "generation": "\(instance.id.generation)",
        ]
        if let pid = instance.pid { fields["pid"] = "\(pid)" }
        return fields.merging(extra) { $1 }
    }

    /// Creates an instance for the slot and asks the runtime to start it.
    mutating func spawn(in slotID: SlotID, as role: Slot.Role, alternative: Int) {
        guard var slot = slots[slotID] else { return }
        let instance = slot.makeInstance(alternative: alternative)
        switch role {
        case .current:
            slot.current = instance
            slot.alternative = alternative
        case .successor:
            slot.successor = instance
        case .retiring:
            return
        }
        slots[slotID] = slot
        actions.append(.spawn(instance.id, ports: plan.ports(of: instance.id, alternative: alternative)))
    }

    /// Asks an instance to stop and moves it to the retiring list.
    mutating func retire(_ id: InstanceID, because reason: String) {
        guard var slot = slots[id.slot], let (instance, role) = slot.remove(id) else { return }
        var retiring = instance
        retiring.phase = .draining
        slot.retiring.append(retiring)
        slots[id.slot] = slot
        log(.info, "stopping instance", metadata(retiring, ["reason": reason, "was": role.rawValue]))
        // Without a pid the spawn is still being reported; `spawned` sends the signal then.
        if let pid = retiring.pid { actions.append(.stop(id, pid: pid)) }
    }
}
