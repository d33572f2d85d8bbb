import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Measures the internal RPC: unary calls between two processes, and payload encoding.",
        discussion: "Run `rpc-bench server` in one process and `rpc-bench client` in another, or use Benchmarks/rpc-bench.sh.",
        subcommands: [BenchServer.self, BenchClient.self, CodecBenchmark.self, DataBenchmark.self]
    )

    static func main() async {
        if ProcessInfo.processInfo.environment["RPC_BENCH_NIO_EXECUTOR"] == "1" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
