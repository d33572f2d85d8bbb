import ArgumentParser
import Foundation
import Logging
import RPC

struct BenchClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Call bench.echo with N calls in flight for a fixed time; print calls/s and latency percentiles.")

    @Option(help: "Server target, e.g. 127.0.0.1:7300.")
    var target = "127.0.0.1:7300"

    @Option(help: "Calls in flight at any moment.")
    var concurrency = 64

    @Option(help: "Seconds to measure.")
    var duration = 10.0

    @Option(help: "Seconds of warm-up before measuring.")
    var warmup = 2.0

    @Option(help: "Request and response payload size in bytes (the encoded message is about this size).")
    var payload = 128

    @Option(help: "Connections to the server.")
    var connections = 1

    @Flag(help: "Print one Markdown table row instead of prose.")
    var markdown = false

    func run() async throws {
        var logger = Logger(label: "rpc-bench")
        logger.logLevel = .warning
        var configuration = RPCClientConfiguration()
        configuration.connectionsPerEndpoint = connections
        let client = RPCClient(target: try RPCTarget(parsing: target), configuration: configuration, logger: logger)
        let running = Task { try await client.run() }
        defer { running.cancel() }
        // Two bytes of length and framing make the encoded request as big as --payload.
        let request = BenchPayload(bytes: [UInt8](repeating: 0xAB, count: max(0, payload - 3)))
        _ = try await client.call(.echo, request)

        _ = try await measure(client: client, request: request, seconds: warmup)
        let latencies = try await measure(client: client, request: request, seconds: duration)
        report(latencies.sorted())
    }

    /// Each of `concurrency` tasks calls in a loop until time is up; returns every latency in ns.
    private func measure(client: RPCClient, request: BenchPayload, seconds: Double) async throws -> [Int64] {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [Int64] = []
                    samples.reserveCapacity(Int(seconds * 50_000) / max(1, concurrency) + 1024)
                    let clock = ContinuousClock()
                    while clock.now < end {
                        let start = clock.now
                        _ = try await client.call(.echo, request)
                        let elapsed = clock.now - start
                        samples.append(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                    }
                    return samples
                }
            }
            var all: [Int64] = []
            for try await samples in group { all.append(contentsOf: samples) }
            return all
        }
    }

    private func report(_ sorted: [Int64]) {
        guard !sorted.isEmpty else { return print("no calls completed") }
        func percentile(_ p: Double) -> String {
            let index = min(sorted.count - 1, Int(Double(sorted.count) * p))
            return String(format: "%.3f", Double(sorted[index]) / 1_000_000)
        }
        let rate = Double(sorted.count) / duration
        if markdown {
            print("| \(concurrency) | \(payload) | \(Int(rate)) | \(percentile(0.5)) | \(percentile(0.99)) | \(percentile(0.999)) |")
        } else {
            print(
                "in flight \(concurrency), payload \(payload) B: \(Int(rate)) calls/s, p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms, p99.9 \(percentile(0.999)) ms (\(sorted.count) calls)"
            )
        }
    }
}
