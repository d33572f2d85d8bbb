import ArgumentParser
import Logging
import RPC
import ServiceLifecycle
import UnixSignals

struct BenchServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "server", abstract: "Serve bench.echo until SIGTERM or SIGINT.")

    @Option(help: "host:port to listen on.")
    var listen = "127.0.0.1:7300"

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen must be host:port")
        }
        var logger = Logger(label: "rpc-bench")
        logger.logLevel = .warning
        var router = RPCRouter()
        router.register(.echo) { request, _ in request }
        let server = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: String(listen[..<colon]), port: port)),
            router: router, serviceName: "rpc-bench", logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
