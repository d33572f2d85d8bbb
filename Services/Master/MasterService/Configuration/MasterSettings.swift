public import Foundation
public import ServiceKit

/// Reads the master's flags and environment variables (see `master --help`).
///
/// The services come from `--topology FILE`, or else from ``BuiltInTopology``. Either way each
/// service `NAME` gets flags that override its entry: `--NAME-instances`, `--NAME-executable`,
/// `--NAME-rpc-port`/`--NAME-http-port` (for the ports it has), `--NAME-admin-port`,
/// `--NAME-args`, `--NAME-env`, `--NAME-request-metric`, `--NAME-recycle-requests` and
/// `--NAME-recycle-memory`, with `NAME_…` environment variables.
public enum MasterSettings {
    public static let defaultAdminPort = 9000

    /// - Parameters:
    ///   - executableFolder: Where service executables are looked for when no path is set:
    ///     the folder of the master's own executable.
    ///   - isExecutable: Whether a path is an executable file (replaced in tests).
    public static func read(
        from reader: inout ConfigReader, executableFolder: String,
        isExecutable: (String) -> Bool = { access($0, X_OK) == 0 }
    ) -> MasterConfiguration {
        let host = reader.read(
            .string(
                "instance-host", env: "INSTANCE_HOST", default: "127.0.0.1", placeholder: "<host>",
                help: "Address every instance listens on (RPC and admin) and is reached at by the others."))
        let publicHost = reader.read(
            .string(
                "public-host", env: "PUBLIC_HOST", default: "127.0.0.1", placeholder: "<host>",
                help: "Address public HTTP listeners (a service's http port, e.g. the edge's) bind; 0.0.0.0 to accept other machines."))
        let topologySetting = Setting<String>.string(
            "topology", env: "TOPOLOGY", default: "", placeholder: "<file.json>",
            help:
                "JSON file naming the services to run, their executables, instances, ports and peers (docs/operations.md); empty: data ×1, worker ×2, edge ×1 beside the master."
        )
        let topologyPath = reader.read(topologySetting)
        var topology: Topology
        if topologyPath.isEmpty {
            topology = BuiltInTopology.topology(executableFolder: executableFolder)
        } else {
            do {
                topology = try TopologyFile.load(path: topologyPath, executableFolder: executableFolder)
            } catch {
                reader.reject(topologySetting, because: error.description)
                topology = Topology(services: [])
            }
        }

        var instancesSettings: [ServiceName: Setting<Int>] = [:]
        for index in topology.services.indices {
            instancesSettings[topology.services[index].name] = readOverrides(
                of: &topology.services[index], from: &reader, executableFolder: executableFolder)
        }
        for problem in topology.problems(isExecutable: isExecutable) {
            // Without a file, the flags made the topology: name the service's flag.
            if topologyPath.isEmpty, let setting = instancesSettings[problem.service] {
                reader.reject(setting, because: problem.message)
            } else {
                reader.reject(topologySetting, because: problem.description)
            }
        }

        let restart = RestartPolicy(
            backoffBase: reader.read(
                .duration(
                    "restart-backoff", env: "RESTART_BACKOFF", default: .milliseconds(250),
                    help: "Wait before restarting a dead instance; doubles per consecutive crash.")),
            backoffCap: reader.read(
                .duration(
                    "restart-backoff-cap", env: "RESTART_BACKOFF_CAP", default: .seconds(10),
                    help: "Longest wait between restarts, and the restart interval during a crash loop.")),
            crashLoopExits: reader.read(
                .int(
                    "crash-loop-exits", env: "CRASH_LOOP_EXITS", default: 5, range: 2...1000,
                    help: "This many unexpected exits of one slot within --crash-loop-window is a crash loop (logged, shown in the state).")
            ),
            crashLoopWindow: reader.read(
                .duration(
                    "crash-loop-window", env: "CRASH_LOOP_WINDOW", default: .seconds(30),
                    help: "Window of the crash-loop count; an instance ready this long resets the backoff.")))
        let plan = SupervisorPlan(
            topology: topology,
            restart: restart,
            handoverDelay: reader.read(
                .duration(
                    "handover-delay", env: "HANDOVER_DELAY", default: .milliseconds(1500),
                    help:
                        "How long a ready replacement runs beside the old instance before that one is stopped, so callers (reconnecting within 1s) have found it."
                )),
            reloadServices: readReloadServices(of: topology, from: &reader))
        return MasterConfiguration(
            plan: plan,
            topology: topology,
            host: host,
            publicHost: publicHost,
            readyTimeout: reader.read(
                .duration(
                    "ready-timeout", env: "READY_TIMEOUT", default: .seconds(60),
                    help: "How long a new instance may take to answer 200 on /readyz before it is killed and restarted.")),
            stopTimeout: reader.read(
                .duration(
                    "stop-timeout", env: "STOP_TIMEOUT", default: .seconds(40),
                    help: "How long an instance may drain after SIGTERM before it is killed; above the instances' --drain-timeout.")),
            checkInterval: reader.read(
                .duration(
                    "check-interval", env: "CHECK_INTERVAL", default: .seconds(1),
                    help: "How often instances are measured (requests, resident memory) for recycling.")),
            childrenFile: reader.read(
                Setting<String?>(
                    "children-file", env: "CHILDREN_FILE", default: nil,
                    help: "File recording the running instances, so a master started after this one was killed stops any it left behind.",
                    placeholder: "<path>", expected: "a file path",
                    defaultDescription: "master-<admin-port>.children in the temporary folder"
                ) { $0.isEmpty ? nil : $0 }),
            watch: readWatch(of: topology, from: &reader))
    }

    /// Applies the service's override flags to its entry; returns its instance-count setting,
    /// which problems of a topology made by flags are reported against.
    private static func readOverrides(
        of service: inout ServiceSpec, from reader: inout ConfigReader, executableFolder: String
    ) -> Setting<Int> {
        let name = service.name.rawValue
        let env = service.name.environmentPrefix
        let instancesSetting = Setting<Int>.int(
            "\(name)-instances", env: "\(env)_INSTANCES", default: service.instances, range: 0...64,
            help: "Number of \(name) instances.")
        service.instances = reader.read(instancesSetting)
        let executable = reader.read(
            .string(
                "\(name)-executable", env: "\(env)_EXECUTABLE", default: "", placeholder: "<path>",
                help: "The \(name) executable; empty: \(service.executable)."))
        if !executable.isEmpty { service.executable = executable }
        if let base = service.ports.rpcBase {
            service.ports.rpcBase = reader.read(
                .port(
                    "\(name)-rpc-port", env: "\(env)_RPC_PORT", default: base,
                    help: "First RPC port of \(name) instances: instance i listens on this + 2i, or + 2i + 1 while it is being replaced."))
        }
        if let base = service.ports.httpBase {
            service.ports.httpBase = reader.read(
                .port(
                    "\(name)-http-port", env: "\(env)_HTTP_PORT", default: base,
                    help: "Public HTTP port of the first \(name) instance; instance i listens on this + i."))
        }
        service.ports.adminBase = reader.read(
            .port(
                "\(name)-admin-port", env: "\(env)_ADMIN_PORT", default: service.ports.adminBase,
                help: service.ports.canOverlap
                    ? "First admin port of \(name) instances: instance i uses this + 2i, or + 2i + 1 while it is being replaced."
                    : "Admin port of the first \(name) instance; instance i uses this + 2i (it is replaced in place)."))
        let argumentsText = reader.read(
            .string(
                "\(name)-args", env: "\(env)_ARGS", default: "", placeholder: "<args>",
                help:
                    "Extra arguments for every \(name) instance, separated by spaces (no quoting), given as --\(name)-args=\"--flag value\"; they win over the master's and the topology's."
            ))
        service.arguments += argumentsText.split(whereSeparator: \.isWhitespace).map(String.init)
        let environmentSetting = Setting<String>.string(
            "\(name)-env", env: "\(env)_ENV", default: "", placeholder: "<KEY=VALUE ...>",
            help: "Extra environment variables for every \(name) instance, separated by spaces.")
        for pair in reader.read(environmentSetting).split(whereSeparator: \.isWhitespace) {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                reader.reject(environmentSetting, because: "\"\(pair)\" is not KEY=VALUE")
                continue
            }
            service.environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        service.requestMetric = reader.read(
            .string(
                "\(name)-request-metric", env: "\(env)_REQUEST_METRIC", default: service.requestMetric, placeholder: "<name>",
                help: "Counter in the instance's /metrics whose sum over all labels counts its requests, for --\(name)-recycle-requests."))
        let recycleRequestsSetting = Setting<Int>.int(
            "\(name)-recycle-requests", env: "\(env)_RECYCLE_REQUESTS", default: service.recycle.maximumRequests,
            range: 0...Int(Int32.max),
            help: "Replace a \(name) instance (drained, without losing requests) after it served this many requests; 0: never.")
        service.recycle.maximumRequests = reader.read(recycleRequestsSetting)
        service.recycle.maximumResidentBytes =
            reader.read(
                .int(
                    "\(name)-recycle-memory", env: "\(env)_RECYCLE_MEMORY", default: service.recycle.maximumResidentBytes >> 20,
                    range: 0...1_048_576,
                    help: "Replace a \(name) instance when its resident memory (VmRSS) exceeds this many MiB; 0: never.")) << 20
        if service.recycle.maximumRequests > 0, service.requestMetric.isEmpty {
            reader.reject(recycleRequestsSetting, because: "needs --\(name)-request-metric")
        }
        return instancesSetting
    }

    private static func readReloadServices(of topology: Topology, from reader: inout ConfigReader) -> Set<ServiceName> {
        let defaults = topology.services.filter(\.reload).map(\.name)
        let setting = Setting<Set<ServiceName>>(
            "reload-services", env: "RELOAD_SERVICES", default: Set(defaults),
            help:
                "Services SIGHUP rolls through one instance at a time. By default those without a public HTTP port: that port cannot be shared, so such a service is restarted in place, with a gap.",
            placeholder: "<service,...>", expected: "a comma-separated list of service names (or empty)",
            defaultDescription: defaults.map(\.rawValue).joined(separator: ",")
        ) { text in
            Set(text.split(separator: ",").map { ServiceName($0.trimmingCharacters(in: .whitespaces).lowercased()) })
        }
        let services = reader.read(setting)
        for name in services.sorted() where topology.service(name) == nil {
            reader.reject(setting, because: "\"\(name)\" is not a service of the topology")
        }
        return services
    }

    private static func readWatch(of topology: Topology, from reader: inout ConfigReader) -> WatchSettings? {
        let watchSetting = Setting<Bool>.bool(
            "watch", env: "WATCH", default: false,
            help:
                "Rebuild a service whose sources (the topology's sources and build) changed, and replace only its instances, one at a time."
        )
        let watch = reader.read(watchSetting)
        let settings = WatchSettings(
            interval: reader.read(
                .duration(
                    "watch-interval", env: "WATCH_INTERVAL", default: .seconds(1),
                    help: "How often --watch reads the sources' modification times.")),
            quiet: reader.read(
                .duration(
                    "watch-quiet", env: "WATCH_QUIET", default: .milliseconds(500),
                    help: "How long the sources must stay unchanged before --watch rebuilds, so saving several files builds once.")))
        guard watch else { return nil }
        let watched = topology.services.compactMap(\.watch).filter { !$0.build.isEmpty }
        if watched.isEmpty {
            reader.reject(watchSetting, because: "no service of the topology has sources and a build command")
        }
        for service in topology.services {
            for source in service.watch?.sources ?? [] where !FileManager.default.fileExists(atPath: source) {
                reader.reject(watchSetting, because: "\(service.name): source \(source) does not exist")
            }
        }
        return settings
    }

    /// The folder of the running executable, where the service executables are by default.
    public static func executableFolder() -> String {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
