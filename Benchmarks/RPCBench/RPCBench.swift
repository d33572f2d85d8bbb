import ArgumentParser

@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Measures the internal RPC: unary calls between two processes, and payload encoding.",
        discussion: "Run `rpc-bench server` in one process and `rpc-bench client` in another, or use Benchmarks/rpc-bench.sh.",
        subcommands: [BenchServer.self, BenchClient.self, CodecBenchmark.self]
    )
}
