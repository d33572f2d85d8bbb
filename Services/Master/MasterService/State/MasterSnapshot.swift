public import Foundation

/// What `GET /instances` returns: the master's phase and one entry per process (or per
/// empty slot), in start order.
public struct MasterSnapshot: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var service: ServiceName
        public var index: Int
        /// Nil for a slot with no process (crashed and waiting for its restart, or stopped).
        public var generation: Int?
        public var role: Slot.Role?
        public var pid: Int32?
        public var ports: InstancePorts?
        public var state: InstancePhase
        public var restarts: Int
        public var replacements: Int
        public var recycles: Int
        public var crashLoop: Bool
        public var startedAt: Date?
        public var lastExit: LastExit?
        public var recycleReason: String?
        /// Set while this slot is being replaced.
        public var replacing: String?
    }

    public struct LastExit: Sendable, Codable, Equatable {
        public var generation: Int
        public var status: String
        public var code: Int32?
        public var signal: Int32?
        public var unexpected: Bool
        public var at: Date
    }

    public var phase: String
    public var ready: Bool
    public var reloadInProgress: Bool
    public var instances: [Entry]

    public static let empty = MasterSnapshot(phase: "idle", ready: false, reloadInProgress: false, instances: [])
}

extension Supervisor {
    public func snapshot() -> MasterSnapshot {
        var entries: [MasterSnapshot.Entry] = []
        for slot in plan.sorted(slots.keys).compactMap({ slots[$0] }) {
            let lastExit = slot.lastExit.map(MasterSnapshot.LastExit.init)
            let base = MasterSnapshot.Entry(
                service: slot.id.service, index: slot.id.index, generation: nil, role: nil, pid: nil, ports: nil,
                state: slot.restartPending ? .crashed : .stopped, restarts: slot.restarts,
                replacements: slot.replacements, recycles: slot.recycles, crashLoop: slot.crashes.isLooping, startedAt: nil,
                lastExit: lastExit, recycleReason: slot.lastReplacementReason.map(\.description),
                replacing: slot.replacing.map(\.description))
            let live: [(Instance, Slot.Role)] =
                [slot.current.map { ($0, .current) }, slot.successor.map { ($0, .successor) }].compactMap { $0 }
                + slot.retiring.map { ($0, .retiring) }
            if live.isEmpty {
                entries.append(base)
            }
            for (instance, role) in live {
                var entry = base
                entry.generation = instance.id.generation
                entry.role = role
                entry.pid = instance.pid
                entry.ports = plan.ports(of: instance.id, alternative: instance.alternative)
                entry.state = instance.phase
                entry.startedAt = instance.startedAt
                entries.append(entry)
            }
        }
        return MasterSnapshot(
            phase: phase.name, ready: isServing, reloadInProgress: queue.hasReloadWork, instances: entries)
    }
}

extension Supervisor.Phase {
    var name: String {
        switch self {
        case .idle: "idle"
        case .starting(let service): "starting \(service)"
        case .running: "running"
        case .stopping(let service): "stopping \(service)"
        case .finished: "finished"
        }
    }
}

extension MasterSnapshot.LastExit {
    init(_ record: ExitRecord) {
        generation = record.generation
        status = record.status.description
        unexpected = record.unexpected
        at = record.at
        switch record.status {
        case .exited(let code): self.code = code
        case .signaled(let signal): self.signal = signal
        case .notStarted: break
        }
    }
}
