import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the certificate and key (nginx's reload, `docker kill -s HUP`): new
/// connections use them, open ones carry on with theirs. Runs only when TLS is configured, so
/// without it SIGHUP keeps its default meaning.
struct TLSReloader: Service, CustomStringConvertible {
    let store: TLSContextStore
    let logger: Logger

    func run() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// A bad file leaves the context in use: a typo during a certificate rotation must not take
    /// the listener down.
    func reload() {
        do {
            try store.reload()
            logger.info("TLS certificate and key reloaded", metadata: ["certificate": "\(store.certificatePath)"])
        } catch {
            logger.error("TLS reload failed; keeping the certificate in use", metadata: ["error": "\(error)"])
        }
    }

    var description: String { "TLSReloader" }
}
