import RPC

/// The command line and environment of one instance.
public struct LaunchCommand: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    /// Only the additions to the master's own environment.
    public var environment: [String: String]
}

extension MasterConfiguration {
    /// Derives an instance's flags from its ports and its peers: `--admin-host`/`--admin-port`,
    /// `--rpc-listen` and `--http-listen` for the ports it has, and for each peer every
    /// address of the peer's instances (`--<peer>-target host:port,…` unless the topology
    /// names another flag or a variable). The service's own arguments come last, so they win;
    /// `{{name}}` in them and in its environment becomes the addresses of service `name`.
    ///
    /// - Parameter common: Flags every child gets first, e.g. the master's log level and format.
    public func launchCommand(for id: InstanceID, ports: InstancePorts, common: [String] = []) -> LaunchCommand {
        // Slots come from the same topology; a name it lacks fails to spawn with a clear error.
        let service =
            topology.service(id.slot.service)
            ?? ServiceSpec(name: id.slot.service, executable: id.slot.service.rawValue, ports: ServicePorts(adminBase: ports.admin))
        var arguments = common + ["--admin-host", host, "--admin-port", "\(ports.admin)"]
        if let rpc = ports.rpc {
            arguments += ["--rpc-listen", HostPort(host: host, port: rpc).description]
        }
        if let http = ports.http {
            arguments += ["--http-listen", HostPort(host: publicHost, port: http).description]
        }
        let expand = { (text: String) in PeerPlaceholder.expand(text) { target(of: $0) } }
        var environment = service.environment.mapValues(expand)
        for peer in service.peers {
            // A peer with no instances here leaves the caller's own default (or extra-argument) target.
            guard let target = target(of: peer.service) else { continue }
            switch peer.delivery {
            case .flag(let flag): arguments += [flag, target]
            case .environment(let name): environment[name] = target
            }
        }
        return LaunchCommand(executable: service.executable, arguments: arguments + service.arguments.map(expand), environment: environment)
    }

    /// Every address the service's instances may listen on, as an RPC target.
    func target(of service: ServiceName) -> String? {
        guard let layout = plan.services[service] else { return nil }
        return layout.ports.rpcTarget(host: host, instances: layout.instances)
    }
}
