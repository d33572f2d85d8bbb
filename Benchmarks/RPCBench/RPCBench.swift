import ArgumentParser
import Foundation
import ServiceKit

@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Measures the internal RPC: unary calls between two processes, and payload encoding.",
        discussion: "Run `rpc-bench server` in one process and `rpc-bench client` in another, or use Benchmarks/rpc-bench.sh.",
        subcommands: [BenchServer.self, BenchClient.self, CodecBenchmark.self, DataBenchmark.self]
    )

    static func main() async {
        // Where the services run their tasks (`--task-executor`): on the event loops unless
        // RPC_BENCH_EXECUTOR=cooperative asks for Swift's own pool.
        switch ProcessInfo.processInfo.environment["RPC_BENCH_EXECUTOR"] ?? "event-loops" {
        case "event-loops": _ = EventLoopGlobalExecutor.install()
        case "cooperative": break
        case let other:
            FileHandle.standardError.write(Data("RPC_BENCH_EXECUTOR must be event-loops or cooperative, not \(other)\n".utf8))
            Foundation.exit(2)
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
