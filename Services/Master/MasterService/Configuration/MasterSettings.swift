import Foundation
import ServiceKit

/// Reads the master's flags and environment variables (see `master --help`).
public enum MasterSettings {
    /// Port ranges apart from the services' own defaults (RPC 7101/7102, admin 9100-9102),
    /// so the master's instances can run beside a service started by hand; only the edge's
    /// public port is the same, since that is the one people type.
    struct Defaults {
        var instances: Int
        var rpcBase: Int?
        var adminBase: Int
        var httpBase: Int?
        var requestMetric: String
    }

    static let defaults: [ServiceKind: Defaults] = [
        .data: Defaults(instances: 1, rpcBase: 7300, adminBase: 9300, httpBase: nil, requestMetric: "rpc_server_calls_total"),
        .worker: Defaults(instances: 2, rpcBase: 7200, adminBase: 9200, httpBase: nil, requestMetric: "rpc_server_calls_total"),
        .edge: Defaults(instances: 1, rpcBase: nil, adminBase: 9110, httpBase: 8080, requestMetric: "http_requests_total"),
    ]

    public static let defaultAdminPort = 9000

    /// - Parameters:
    /// - Parameter executableFolder: Where service executables are looked for when no path
    ///   is set: the folder of the master's own executable.
    public static func read(from reader: inout ConfigReader, executableFolder: String) -> MasterConfiguration {
        let host = reader.read(
            .string(
                "instance-host", env: "INSTANCE_HOST", default: "127.0.0.1", placeholder: "<host>",
                help: "Address every instance listens on (RPC and admin) and is reached at by the others."))
        let edgeHTTPHost = reader.read(
            .string(
                "edge-http-host", env: "EDGE_HTTP_HOST", default: "127.0.0.1", placeholder: "<host>",
                help: "Address the edge's public HTTP listener binds; 0.0.0.0 to accept other machines."))

        var services: [ServiceKind: SupervisorPlan.Service] = [:]
        var launches: [ServiceKind: ServiceLaunch] = [:]
        var usedPorts: [Int: String] = [:]
        for kind in ServiceKind.allCases {
            let read = readService(kind, from: &reader, executableFolder: executableFolder)
            services[kind] = read.plan
            launches[kind] = read.launch
            for port in read.plan.ports.allPorts(instances: read.plan.instances) {
                if port > 65535 {
                    reader.reject(read.instancesSetting, because: "its ports would go past 65535")
                    break
                }
                if let owner = usedPorts[port] {
                    reader.reject(read.instancesSetting, because: "port \(port) is also \(owner)")
                    break
                }
                usedPorts[port] = "used by \(kind.rawValue)"
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
            services: services,
            restart: restart,
            handoverDelay: reader.read(
                .duration(
                    "handover-delay", env: "HANDOVER_DELAY", default: .milliseconds(1500),
                    help:
                        "How long a ready replacement runs beside the old instance before that one is stopped, so callers (reconnecting within 1s) have found it."
                )),
            reloadServices: reader.read(reloadServicesSetting))
        return MasterConfiguration(
            plan: plan,
            launches: launches,
            host: host,
            edgeHTTPHost: edgeHTTPHost,
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
                ) { $0.isEmpty ? nil : $0 }))
    }

    private static func readService(
        _ kind: ServiceKind, from reader: inout ConfigReader, executableFolder: String
    ) -> (plan: SupervisorPlan.Service, launch: ServiceLaunch, instancesSetting: Setting<Int>) {
        let name = kind.rawValue
        let env = name.uppercased()
        let fallback = defaults[kind] ?? Defaults(instances: 1, rpcBase: nil, adminBase: 9400, httpBase: nil, requestMetric: "")
        let instancesSetting = Setting<Int>.int(
            "\(name)-instances", env: "\(env)_INSTANCES", default: fallback.instances, range: 0...64,
            help: "Number of \(name) instances.")
        let instances = reader.read(instancesSetting)
        let executable = reader.read(
            .string(
                "\(name)-executable", env: "\(env)_EXECUTABLE", default: "", placeholder: "<path>",
                help: "The \(name) executable; empty: `\(name)` beside the master's own executable."))
        let rpcBase = fallback.rpcBase.map { base in
            reader.read(
                .port(
                    "\(name)-rpc-port", env: "\(env)_RPC_PORT", default: base,
                    help: "First RPC port of \(name) instances: instance i listens on this + 2i, or + 2i + 1 while it is being replaced."))
        }
        let httpBase = fallback.httpBase.map { base in
            reader.read(
                .port(
                    "\(name)-http-port", env: "\(env)_HTTP_PORT", default: base,
                    help: "Public HTTP port of the first \(name) instance; instance i listens on this + i."))
        }
        let adminBase = reader.read(
            .port(
                "\(name)-admin-port", env: "\(env)_ADMIN_PORT", default: fallback.adminBase,
                help: kind.canOverlap
                    ? "First admin port of \(name) instances: instance i uses this + 2i, or + 2i + 1 while it is being replaced."
                    : "Admin port of the first \(name) instance; instance i uses this + 2i (it is replaced in place)."))
        let argumentsText = reader.read(
            .string(
                "\(name)-args", env: "\(env)_ARGS", default: "", placeholder: "<args>",
                help:
                    "Extra arguments for every \(name) instance, separated by spaces (no quoting), given as --\(name)-args=\"--flag value\"; they win over the master's."
            ))
        let environmentSetting = Setting<String>.string(
            "\(name)-env", env: "\(env)_ENV", default: "", placeholder: "<KEY=VALUE ...>",
            help: "Extra environment variables for every \(name) instance, separated by spaces.")
        let environmentText = reader.read(environmentSetting)
        let requestMetric = reader.read(
            .string(
                "\(name)-request-metric", env: "\(env)_REQUEST_METRIC", default: fallback.requestMetric, placeholder: "<name>",
                help: "Counter in the instance's /metrics whose sum over all labels counts its requests, for --\(name)-recycle-requests."))
        let recycleRequestsSetting = Setting<Int>.int(
            "\(name)-recycle-requests", env: "\(env)_RECYCLE_REQUESTS", default: 0, range: 0...Int(Int32.max),
            help: "Replace a \(name) instance (drained, without losing requests) after it served this many requests; 0: never.")
        let recycleRequests = reader.read(recycleRequestsSetting)
        let recycleMemory = reader.read(
            .int(
                "\(name)-recycle-memory", env: "\(env)_RECYCLE_MEMORY", default: 0, range: 0...1_048_576,
                help: "Replace a \(name) instance when its resident memory (VmRSS) exceeds this many MiB; 0: never."))

        var environment: [String: String] = [:]
        for pair in environmentText.split(whereSeparator: \.isWhitespace) {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                reader.reject(environmentSetting, because: "\"\(pair)\" is not KEY=VALUE")
                continue
            }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        if recycleRequests > 0, requestMetric.isEmpty {
            reader.reject(recycleRequestsSetting, because: "needs --\(name)-request-metric")
        }
        let launch = ServiceLaunch(
            executable: executable.isEmpty ? executableFolder + "/" + name : executable,
            arguments: argumentsText.split(whereSeparator: \.isWhitespace).map(String.init),
            environment: environment,
            requestMetric: requestMetric)
        let plan = SupervisorPlan.Service(
            instances: instances,
            ports: ServicePorts(rpcBase: rpcBase, adminBase: adminBase, httpBase: httpBase),
            recycle: RecyclePolicy(maximumRequests: recycleRequests, maximumResidentBytes: recycleMemory << 20))
        return (plan, launch, instancesSetting)
    }

    static let reloadServicesSetting = Setting<Set<ServiceKind>>(
        "reload-services", env: "RELOAD_SERVICES", default: [.data, .worker],
        help:
            "Services SIGHUP rolls through one instance at a time. The edge is left out by default: its public port cannot be shared, so it is restarted in place, with a gap.",
        placeholder: "<service,...>", expected: "a comma-separated list of data, worker, edge (or empty)",
        defaultDescription: "data,worker"
    ) { text in
        var services: Set<ServiceKind> = []
        for name in text.split(separator: ",") {
            guard let kind = ServiceKind(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
            services.insert(kind)
        }
        return services
    }

    /// The folder of the running executable, where the service executables are by default.
    public static func executableFolder() -> String {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
