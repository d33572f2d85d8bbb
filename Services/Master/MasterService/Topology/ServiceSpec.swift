/// One service of a ``Topology``: what the master starts for it and how it is wired.
public struct ServiceSpec: Sendable, Equatable {
    public var name: ServiceName
    /// Path of the executable every instance runs.
    public var executable: String
    public var instances: Int
    /// Where instance `i` listens (see ``ServicePorts``): given as `--rpc-listen`,
    /// `--http-listen` and `--admin-port`, the flags every kit service reads.
    public var ports: ServicePorts
    /// Appended after the arguments the master derives, so they can override them (the last
    /// occurrence of a flag wins). `{{name}}` stands for the addresses of service `name`.
    public var arguments: [String]
    /// Added to the environment the master itself got; `{{name}}` as in ``arguments``.
    public var environment: [String: String]
    /// The services this one calls; each instance is told all their addresses.
    public var peers: [PeerLink]
    /// Prometheus counter whose sum over all series is the instance's request count; empty
    /// when the service exports none.
    public var requestMetric: String
    public var recycle: RecyclePolicy
    /// Whether SIGHUP rolls through this service's instances.
    public var reload: Bool
    /// What `master --watch` watches and runs for this service; nil: it is not rebuilt.
    public var watch: WatchSpec?

    public init(
        name: ServiceName, executable: String, instances: Int = 1, ports: ServicePorts, arguments: [String] = [],
        environment: [String: String] = [:], peers: [PeerLink] = [], requestMetric: String = "",
        recycle: RecyclePolicy = RecyclePolicy(), reload: Bool? = nil, watch: WatchSpec? = nil
    ) {
        self.name = name
        self.executable = executable
        self.instances = instances
        self.ports = ports
        self.arguments = arguments
        self.environment = environment
        self.peers = peers
        self.requestMetric = requestMetric
        self.recycle = recycle
        self.reload = reload ?? ports.canOverlap
        self.watch = watch
    }

    /// The services this one needs started first: its peers and those its arguments and
    /// environment refer to with `{{name}}`.
    public var dependencies: [ServiceName] {
        var names: [ServiceName] = []
        let referred =
            peers.map(\.service) + arguments.flatMap { PeerPlaceholder.references(in: $0) }
            + environment.keys.sorted().flatMap { PeerPlaceholder.references(in: environment[$0] ?? "") }
        for name in referred where !names.contains(name) { names.append(name) }
        return names
    }
}

/// A dependency of one service on another: the caller's instances get the callee's
/// addresses, and the callee starts first and stops last.
public struct PeerLink: Sendable, Equatable {
    /// How the addresses reach the caller.
    public enum Delivery: Sendable, Equatable {
        /// As a flag and its value, e.g. `--data-target 127.0.0.1:7300,127.0.0.1:7301`.
        case flag(String)
        /// As an environment variable.
        case environment(String)
    }

    public var service: ServiceName
    public var delivery: Delivery

    /// By default the caller gets `--<service>-target`, the flag ServiceKit's RPC client
    /// settings read for a peer of that name.
    public init(_ service: ServiceName, delivery: Delivery? = nil) {
        self.service = service
        self.delivery = delivery ?? .flag("--\(service)-target")
    }
}

/// The sources of a service and the command that rebuilds its executable from them.
public struct WatchSpec: Sendable, Equatable {
    /// Files and folders (searched recursively, skipping hidden entries) whose change calls
    /// for a rebuild; absolute paths.
    public var sources: [String]
    /// Run with `/bin/sh -c` in ``workingDirectory``; exit status 0 means the executable was rebuilt.
    public var build: String
    public var workingDirectory: String

    public init(sources: [String], build: String, workingDirectory: String) {
        self.sources = sources
        self.build = build
        self.workingDirectory = workingDirectory
    }
}
