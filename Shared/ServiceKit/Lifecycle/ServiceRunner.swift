public import Logging
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs a service's services plus its admin listener as one `ServiceGroup`, with the
/// shutdown order that keeps `/readyz` truthful:
///
/// 1. readiness flips to draining (503),
/// 2. the service's own services stop, last one first, each waited for,
/// 3. the admin listener stops last, so it answers 503 throughout the drain.
///
/// If the drain takes longer than `drainTimeout`, whatever is still running is cancelled.
public struct ServiceRunner: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Every service finished within the drain timeout.
        case drained
        /// The drain timeout elapsed and the services still running were cancelled.
        case drainTimedOut
    }

    private let group: ServiceGroup
    private let cutOff: CutOffRecord

    /// - Parameters:
    ///   - services: The service's own services in dependency order: each may use those
    ///     before it, since shutdown runs in reverse.
    ///   - admin: The admin listener; started first and stopped last.
    ///   - cancellationTimeout: How long cancelled services may take to end before the
    ///     process is terminated (ServiceLifecycle's `maximumCancellationDuration`); nil
    ///     waits forever.
    ///   - trapsTerminationSignals: Whether SIGTERM and SIGINT start the graceful shutdown;
    ///     off in tests, which call ``triggerGracefulShutdown()`` instead.
    public init(
        services: [any Service],
        admin: any Service,
        readiness: Readiness,
        drainTimeout: Duration,
        cancellationTimeout: Duration? = nil,
        trapsTerminationSignals: Bool = false,
        supervisorPID: Int32? = nil,
        logger: Logger
    ) {
        let cutOff = CutOffRecord()
        let watched = [admin] + services
        var configurations = watched.map { service in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: CutOffWatcher(base: service, readiness: readiness, cutOff: cutOff),
                serviceName: "\(service)"
            )
        }
        configurations.append(
            .init(
                service: DrainGate(readiness: readiness, drainTimeout: drainTimeout, logger: logger),
                // The gate ends by design once shutdown starts; that must not end the group.
                successTerminationBehavior: .ignore
            )
        )
        if let supervisorPID {
            configurations.append(
                .init(
                    service: SupervisorWatch(supervisorPID: supervisorPID, interval: .milliseconds(250), logger: logger),
                    // It ends by design, after starting the shutdown itself or when shutdown starts.
                    successTerminationBehavior: .ignore
                )
            )
        }
        var configuration = ServiceGroupConfiguration(services: configurations, logger: logger)
        if trapsTerminationSignals {
            configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        }
        configuration.maximumGracefulShutdownDuration = drainTimeout
        configuration.maximumCancellationDuration = cancellationTimeout
        self.group = ServiceGroup(configuration: configuration)
        self.cutOff = cutOff
    }

    /// Runs until every service has stopped. Throws the first error of a service that
    /// failed on its own (not one cut off by the drain timeout).
    public func run() async throws -> Outcome {
        try await group.run()
        return cutOff.happened ? .drainTimedOut : .drained
    }

    /// Starts the same graceful shutdown a signal would.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }
}

/// Remembers that the drain timeout cut a service off.
private final class CutOffRecord: Sendable {
    private let flag = Atomic(false)

    var happened: Bool { flag.load(ordering: .relaxed) }

    func record() {
        flag.store(true, ordering: .relaxed)
    }
}

/// A service cancelled while draining was cut off by the drain timeout. Its cancellation
/// error is swallowed and recorded instead, so the runner reports the timeout once rather
/// than a `CancellationError` from whichever service happened to throw first.
private struct CutOffWatcher: Service, CustomStringConvertible {
    let base: any Service
    let readiness: Readiness
    let cutOff: CutOffRecord

    func run() async throws {
        do {
            try await base.run()
        } catch  where Task.isCancelled && readiness.isDraining {
            cutOff.record()
            return
        }
        if Task.isCancelled && readiness.isDraining {
            cutOff.record()
        }
    }

    var description: String { "\(base)" }
}
