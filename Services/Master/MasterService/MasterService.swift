import Logging
import ServiceKit
import ServiceLifecycle

/// The process master (uWSGI's master role): runs the instances of the services a topology
/// names on one machine, restarts the ones that die, recycles and chain-reloads them without
/// dropping requests, rebuilds and replaces them when their sources change (`--watch`), and
/// stops them in order.
public enum MasterService {
    public static func main() async -> Never {
        let executableFolder = MasterSettings.executableFolder()
        await ServiceMain.run(
            name: "master",
            summary:
                "Process master: runs the instances of a topology's services on this machine (by default data, worker and edge), restarts, recycles and reloads them (SIGHUP), rebuilds them when their sources change (--watch), stops them in order (SIGTERM).",
            defaultAdminPort: MasterSettings.defaultAdminPort
        ) { reader in
            MasterSettings.read(from: &reader, executableFolder: executableFolder)
        } start: { configuration, environment in
            // Not ready until every instance is: registered before the group starts.
            environment.readiness.set("instances", ready: false)
            let registry = ChildRegistry(
                path: configuration.childrenFile ?? ChildRegistry.defaultPath(adminPort: environment.settings.adminPort))
            try await registry.reclaim(stopTimeout: configuration.stopTimeout, logger: environment.logger)
            let board = StateBoard()
            StateRoutes.register(on: environment.adminRoutes, board: board)
            let runtime = MasterRuntime(
                configuration: configuration,
                commonArguments: [
                    "--log-level", environment.settings.logLevel.rawValue,
                    "--log-format", environment.settings.logFormat.rawValue,
                ],
                board: board,
                registry: registry,
                readiness: environment.readiness,
                logger: environment.logger)
            // The admin listener (with /instances) stops last, after the instances.
            return [runtime]
        }
    }
}
