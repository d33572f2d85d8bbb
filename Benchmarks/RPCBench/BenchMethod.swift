import NIOCore
import RPC

/// The benchmark's only method: answers with a payload of the same size it received.
struct BenchPayload: WireMessage {
    var bytes: ByteBuffer

    init(bytes: [UInt8]) {
        self.bytes = ByteBuffer(bytes: bytes)
    }

    init() { self.init(bytes: []) }

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "bytes", &bytes)
    }
}

extension RPCMethod where Request == BenchPayload, Response == BenchPayload {
    static let echo = RPCMethod(name: "bench.echo", isIdempotent: true)
}
