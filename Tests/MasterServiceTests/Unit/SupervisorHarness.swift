import Foundation

@testable import MasterService

/// Drives a ``Supervisor`` the way the runtime does, with a fake clock and fake pids: every
/// `.spawn` is answered with `.spawned` at once, like ``ActionPerformer`` does.
struct SupervisorHarness {
    var supervisor: Supervisor
    var clock = Moment(instant: .now, date: Date(timeIntervalSince1970: 1_800_000_000))
    var nextPID: Int32 = 1000
    /// Every action so far, in order.
    var history: [SupervisorAction] = []

    init(_ plan: SupervisorPlan) {
        supervisor = Supervisor(plan: plan)
    }

    init(data: Int = 1, worker: Int = 2, edge: Int = 1, configure: (inout SupervisorPlan) -> Void = { _ in }) {
        var plan = SupervisorPlan(
            services: [
                .data: .init(instances: data, ports: ServicePorts(rpcBase: 7300, adminBase: 9300)),
                .worker: .init(instances: worker, ports: ServicePorts(rpcBase: 7200, adminBase: 9200)),
                .edge: .init(instances: edge, ports: ServicePorts(adminBase: 9110, httpBase: 8080)),
            ],
            order: [.data, .worker, .edge])
        configure(&plan)
        self.init(plan)
    }

    @discardableResult
    mutating func start() -> [SupervisorAction] {
        complete(supervisor.start(at: clock))
    }

    @discardableResult
    mutating func send(_ event: SupervisorEvent) -> [SupervisorAction] {
        complete(supervisor.handle(event, at: clock))
    }

    mutating func advance(_ duration: Duration) {
        clock = clock + duration
    }

    private mutating func complete(_ actions: [SupervisorAction]) -> [SupervisorAction] {
        var all: [SupervisorAction] = []
        var pending = actions
        while !pending.isEmpty {
            let action = pending.removeFirst()
            all.append(action)
            if case .spawn(let id, _) = action {
                nextPID += 1
                pending += supervisor.handle(.spawned(id, pid: nextPID), at: clock)
            }
        }
        history += all
        return all
    }

    // MARK: Queries

    func slot(_ service: ServiceName, _ index: Int) -> Slot {
        supervisor.slots[SlotID(service, index)] ?? Slot(id: SlotID(service, index))
    }

    func current(_ service: ServiceName, _ index: Int) -> Instance? {
        slot(service, index).current
    }

    /// Marks every starting instance of the service ready.
    @discardableResult
    mutating func makeReady(_ service: ServiceName) -> [SupervisorAction] {
        var all: [SupervisorAction] = []
        for slotID in supervisor.slotIDs(of: service) {
            for instance in [slot(service, slotID.index).current, slot(service, slotID.index).successor].compactMap({ $0 })
            where instance.phase == .starting {
                all += send(.ready(instance.id))
            }
        }
        return all
    }

    /// Starts everything and makes every service ready in order.
    mutating func startAll() {
        start()
        for service in supervisor.plan.order { makeReady(service) }
    }

    /// Reports the exit of every instance a `.stop` action in `actions` addressed.
    @discardableResult
    mutating func exitStopped(in actions: [SupervisorAction]) -> [SupervisorAction] {
        var all: [SupervisorAction] = []
        for case .stop(let id, _) in actions {
            all += send(.exited(id, .exited(code: 0)))
        }
        return all
    }
}

extension Array where Element == SupervisorAction {
    var spawned: [InstanceID] {
        compactMap { if case .spawn(let id, _) = $0 { id } else { nil } }
    }

    var spawnedPorts: [InstancePorts] {
        compactMap { if case .spawn(_, let ports) = $0 { ports } else { nil } }
    }

    var stopped: [InstanceID] {
        compactMap { if case .stop(let id, _) = $0 { id } else { nil } }
    }

    var restartDelays: [Duration] {
        compactMap { if case .restartAfter(_, let delay) = $0 { delay } else { nil } }
    }

    var handovers: [InstanceID] {
        compactMap { if case .handoverAfter(let id, _) = $0 { id } else { nil } }
    }

    var messages: [String] {
        compactMap { if case .log(let entry) = $0 { entry.message } else { nil } }
    }

    var errors: [String] {
        compactMap { if case .log(let entry) = $0, entry.level == .error { entry.message } else { nil } }
    }
}

/// The example application's services, as the built-in topology names them.
extension ServiceName {
    static let data: ServiceName = "data"
    static let worker: ServiceName = "worker"
    static let edge: ServiceName = "edge"
}
