import Logging
import RPC
public import ServiceLifecycle
import Tracing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The one entry point every service executable calls.
///
/// ```swift
/// @main struct Main {
///     static func main() async {
///         await ServiceMain.run(name: "data", summary: "Owns the database.", defaultAdminPort: 9102) { reader in
///             DataConfig(rpcPort: reader.read(.port("rpc-port", env: "RPC_PORT", default: 7102, help: "RPC port.")))
///         } start: { config, environment in
///             environment.readiness.set("database", ready: false)
///             return [DataServer(config: config, environment: environment)]
///         }
///     }
/// }
/// ```
public enum ServiceMain {
    /// How long cancelled services may ignore cancellation after the drain timeout before
    /// ServiceLifecycle terminates the process, so SIGTERM always ends within a bounded time.
    public static let cancellationGrace: Duration = .seconds(5)

    /// Reads the common and the service's settings, answers `--help` (exit 0) and bad
    /// configuration (one line on stderr, exit 2), bootstraps logging and metrics, then runs
    /// the service's services and the admin listener until SIGTERM or SIGINT.
    ///
    /// Exits 0 after a clean drain; 1 if the drain timed out, `start` threw, or a service threw
    /// or returned before shutdown was requested (a long-running service ending on its own is
    /// a failure, and the whole process stops so the supervisor can restart it).
    ///
    /// - Parameters:
    ///   - configure: Reads the service's own settings; everything it reads appears in `--help`.
    ///     It may throw (or call `reader.reject`) for problems spanning several settings.
    ///   - start: Builds the service's services, in dependency order. Register readiness
    ///     conditions here, before returning, so the process is not ready until they are met.
    public static func run<Config>(
        name: String,
        summary: String,
        defaultAdminPort: Int,
        arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isolation: isolated (any Actor)? = #isolation,
        configure: (inout ConfigReader) throws -> Config,
        start: (Config, ServiceEnvironment) async throws -> [any Service]
    ) async -> Never {
        if arguments.first == HealthCheckCommand.name {
            // Only the admin address matters here; the service's other settings are not read,
            // so the check works with whatever environment the service itself was given.
            var reader = ConfigReader(arguments: Array(arguments.dropFirst()), environment: environment)
            let settings = CommonSettings.read(from: &reader, defaultAdminPort: defaultAdminPort)
            exit(await HealthCheckCommand.run(settings: settings))
        }
        var reader = ConfigReader(arguments: arguments, environment: environment)
        let settings = CommonSettings.read(from: &reader, defaultAdminPort: defaultAdminPort)
        let configured: Result<Config, any Error>
        do {
            configured = .success(try configure(&reader))
        } catch {
            configured = .failure(error)
        }
        if reader.isHelpRequested {
            print(reader.helpText(name: name, summary: summary), terminator: "")
            exit(0)
        }
        let config: Config
        do {
            try reader.finish()
            config = try configured.get()
        } catch {
            StandardError.write("\(name): \(error) (see --help)\n")
            exit(2)
        }

        if let supervisor = settings.supervisorPID, !SupervisorWatch.isSupervisorAlive(supervisor) {
            StandardError.write("\(name): the supervisor (pid \(supervisor)) that started this process is gone; not starting\n")
            exit(1)
        }
        // Before any thread starts: arenas are handed out as threads first allocate.
        _ = MallocArenas.limitUnlessConfigured(environment: environment)
        let executorInstalled = settings.threading.apply()
        let openFiles = OpenFileLimit.raiseSoftToHard()
        ServiceLogging.bootstrap(
            service: name, level: settings.logLevel, format: settings.logFormat,
            metadataProvider: settings.tracing.endpoint == nil ? nil : ServiceTracing.logMetadataProvider)
        let registry = ServiceMetrics.bootstrap()
        let logger = Logger(label: name)
        let tracing: (tracer: any Tracer, exporter: any Service, headSampler: HeadSampler?)?
        do {
            tracing = try ServiceTracing.bootstrap(
                service: name, settings: settings.tracing, environment: environment,
                logger: Logger(label: "tracing"))
        } catch {
            StandardError.write("\(name): cannot set up tracing: \(error)\n")
            exit(2)
        }
        let readiness = Readiness()
        logger.info(
            "starting",
            metadata: [
                "admin": "\(HostPort(host: settings.adminHost, port: settings.adminPort))",
                "log-level": "\(settings.logLevel.rawValue)",
                "drain-timeout": "\(DurationText.format(settings.drainTimeout))",
                "task-executor":
                    "\(executorInstalled ? settings.threading.taskExecutor.rawValue : TaskExecutorChoice.cooperative.rawValue)",
                "open-files": "\(openFiles.map { "\($0.soft)" } ?? "unknown")",
                "tracing": "\(settings.tracing.endpoint.map { "\($0) ratio \(settings.tracing.sampleRatio)" } ?? "off")",
            ]
        )
        if !executorInstalled {
            logger.warning("could not run tasks on the event loops (the executor was already in use); using the cooperative pool")
        }

        let adminRoutes = AdminRoutes()
        let services: [any Service]
        do {
            // The exporter first: services stop in reverse, so it flushes the spans of the drain.
            services =
                (tracing.map { [$0.exporter] } ?? [])
                + (try await start(
                    config,
                    ServiceEnvironment(
                        name: name, logger: logger, readiness: readiness, settings: settings, adminRoutes: adminRoutes,
                        tracer: tracing?.tracer, headSampler: tracing?.headSampler)
                ))
        } catch {
            logger.critical("failed to start", metadata: ["error": "\(error)"])
            exit(1)
        }

        let admin = AdminServer.makeListener(
            host: settings.adminHost,
            port: settings.adminPort,
            readiness: readiness,
            registry: registry,
            extraRoutes: adminRoutes,
            logger: Logger(label: "admin")
        )
        let runner = ServiceRunner(
            services: services,
            admin: admin,
            readiness: readiness,
            drainTimeout: settings.drainTimeout,
            cancellationTimeout: cancellationGrace,
            trapsTerminationSignals: true,
            supervisorPID: settings.supervisorPID,
            logger: logger
        )
        do {
            switch try await runner.run() {
            case .drained:
                logger.info("stopped")
                exit(0)
            case .drainTimedOut:
                logger.error(
                    "stopped: drain timeout elapsed, remaining work was cancelled",
                    metadata: ["drain-timeout": "\(DurationText.format(settings.drainTimeout))"]
                )
                exit(1)
            }
        } catch {
            logger.critical("stopped with error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
