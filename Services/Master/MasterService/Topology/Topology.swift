/// The services one master runs: any number of them, each with its executable, instance
/// count, ports, extra arguments and environment, and the peers it calls. Read from a JSON
/// file (``TopologyFile``) or built from the master's flags (``BuiltInTopology``).
public struct Topology: Sendable, Equatable {
    /// In declaration order, which breaks ties in the start order.
    public var services: [ServiceSpec]

    public init(services: [ServiceSpec]) {
        self.services = services
    }

    public func service(_ name: ServiceName) -> ServiceSpec? {
        services.first { $0.name == name }
    }

    /// Start order: every service after the peers it calls, otherwise as declared. Nil when
    /// the peers form a cycle or name unknown services (see ``problems(isExecutable:)``).
    public var startOrder: [ServiceName]? {
        var remaining = services
        var order: [ServiceName] = []
        while !remaining.isEmpty {
            guard
                let next = remaining.firstIndex(where: { service in
                    service.dependencies.allSatisfy { order.contains($0) }
                })
            else { return nil }
            order.append(remaining.remove(at: next).name)
        }
        return order
    }

    /// Everything wrong with the topology, each problem once, for one error that lists them all.
    /// - Parameter isExecutable: Whether a path is an executable file; a parameter so the
    ///   rules can be tested without files.
    public func problems(isExecutable: (String) -> Bool) -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        var seen: Set<ServiceName> = []
        for service in services {
            if !service.name.isValid {
                problems.append(
                    TopologyProblem(
                        service: service.name,
                        "name \"\(service.name)\" must be lower-case letters, digits and dashes, starting with a letter"))
            }
            if !seen.insert(service.name).inserted {
                problems.append(TopologyProblem(service: service.name, "is declared twice"))
            }
            if !(0...64).contains(service.instances) {
                problems.append(TopologyProblem(service: service.name, "instances must be between 0 and 64"))
            }
            problems += peerProblems(of: service)
            if service.instances > 0, !isExecutable(service.executable) {
                problems.append(TopologyProblem(service: service.name, "executable \(service.executable) is missing or not executable"))
            }
            if let watch = service.watch, watch.sources.isEmpty != watch.build.isEmpty {
                problems.append(TopologyProblem(service: service.name, "sources and build go together: give both or neither"))
            }
        }
        if problems.allSatisfy({ !$0.isAboutPeers }), let cycle = dependencyCycle() {
            problems.append(
                TopologyProblem(service: cycle[0], "peers form a cycle: \(cycle.map(\.rawValue).joined(separator: " → "))"))
        }
        problems += portProblems()
        return problems
    }

    private func peerProblems(of service: ServiceSpec) -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        var deliveries: Set<String> = []
        for name in service.dependencies {
            guard let callee = self.service(name) else {
                problems.append(TopologyProblem(service: service.name, peers: "peer \"\(name)\" is not a service of the topology"))
                continue
            }
            if callee.ports.rpcBase == nil {
                problems.append(TopologyProblem(service: service.name, peers: "peer \"\(name)\" has no rpc port to call"))
            }
        }
        for peer in service.peers {
            let key =
                switch peer.delivery {
                case .flag(let flag): flag
                case .environment(let name): "$" + name
                }
            if !deliveries.insert(key).inserted {
                problems.append(TopologyProblem(service: service.name, peers: "two peers are given as \(key)"))
            }
        }
        return problems
    }

    /// The first cycle found, closed (`a → b → a`), or nil. Peers must all exist.
    private func dependencyCycle() -> [ServiceName]? {
        var finished: Set<ServiceName> = []
        var path: [ServiceName] = []
        func visit(_ name: ServiceName) -> [ServiceName]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            guard !finished.contains(name), let service = service(name) else { return nil }
            path.append(name)
            defer { path.removeLast() }
            for peer in service.dependencies {
                if let cycle = visit(peer) { return cycle }
            }
            finished.insert(name)
            return nil
        }
        for service in services {
            if let cycle = visit(service.name) { return cycle }
        }
        return nil
    }

    /// Ports past 65535 and ports two slots would share (every alternative counts: a
    /// replacement may use either).
    private func portProblems() -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        var owners: [Int: ServiceName] = [:]
        for service in services {
            for port in service.ports.allPorts(instances: service.instances) {
                if port > 65535 || port < 1 {
                    problems.append(TopologyProblem(service: service.name, "its ports would go past 65535"))
                    break
                }
                if let owner = owners[port] {
                    let whose = owner == service.name ? "twice by \(owner)" : "by both \(owner) and \(service.name)"
                    problems.append(TopologyProblem(service: service.name, "port \(port) is used \(whose)"))
                    break
                }
                owners[port] = service.name
            }
        }
        return problems
    }
}

/// One thing wrong with a topology.
public struct TopologyProblem: Sendable, Equatable, CustomStringConvertible {
    /// The service it is about.
    public var service: ServiceName
    public var message: String
    var isAboutPeers = false

    public init(service: ServiceName, _ message: String) {
        self.service = service
        self.message = message
    }

    init(service: ServiceName, peers message: String) {
        self.init(service: service, message)
        isAboutPeers = true
    }

    public var description: String { "\(service): \(message)" }
}
