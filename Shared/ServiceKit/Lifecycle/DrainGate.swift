import Logging
import RPC
import ServiceLifecycle

/// The last service in the group, and therefore the first one ServiceGroup shuts down:
/// it marks readiness started when the group runs and flips it to draining as soon as
/// graceful shutdown begins, before any real service is asked to stop. Load balancers thus
/// see 503 from `/readyz` for the whole drain.
struct DrainGate: Service, CustomStringConvertible {
    let readiness: Readiness
    let drainTimeout: Duration
    let logger: Logger

    func run() async {
        readiness.markStarted()
        // Throws only when cancelled, in which case draining is just as true.
        try? await gracefulShutdown()
        readiness.beginDraining()
        logger.info(
            "draining: readiness is now failing, stopping services",
            metadata: ["drain-timeout": "\(DurationText.format(drainTimeout))"]
        )
    }

    var description: String { "DrainGate" }
}
