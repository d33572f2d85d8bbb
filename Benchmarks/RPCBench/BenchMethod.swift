import RPC

/// The benchmark's only method: answers with a payload of the same size it received.
struct BenchPayload: Codable, Sendable {
    var bytes: [UInt8]
}

extension RPCMethod where Request == BenchPayload, Response == BenchPayload {
    static let echo = RPCMethod(name: "bench.echo", isIdempotent: true)
}
