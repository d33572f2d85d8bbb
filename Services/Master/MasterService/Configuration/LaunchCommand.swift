/// The command line and environment of one instance.
public struct LaunchCommand: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    /// Only the additions to the master's own environment.
    public var environment: [String: String]
}

extension MasterConfiguration {
    /// Derives an instance's flags from its ports and the wiring between the services:
    /// a worker is told every data address, the edge every worker address.
    ///
    /// - Parameter common: Flags every child gets first, e.g. the master's log level and format.
    public func launchCommand(for id: InstanceID, ports: InstancePorts, common: [String] = []) -> LaunchCommand {
        let service = id.slot.service
        let launch = launches[service] ?? ServiceLaunch(executable: service.rawValue)
        var arguments = common + ["--admin-host", host, "--admin-port", "\(ports.admin)"]
        if let rpc = ports.rpc {
            arguments += ["--rpc-listen", address(host, rpc)]
        }
        switch service {
        case .data:
            break
        case .worker:
            // With no data instances of its own the worker keeps its default or extra-argument target.
            if let target = target(of: .data) { arguments += ["--data-target", target] }
        case .edge:
            if let http = ports.http { arguments += ["--http-listen", address(edgeHTTPHost, http)] }
            if let target = target(of: .worker) { arguments += ["--worker-target", target] }
        }
        return LaunchCommand(
            executable: launch.executable, arguments: arguments + launch.arguments, environment: launch.environment)
    }

    func target(of service: ServiceKind) -> String? {
        guard let layout = plan.services[service] else { return nil }
        return layout.ports.rpcTarget(host: host, instances: layout.instances)
    }

    private func address(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
