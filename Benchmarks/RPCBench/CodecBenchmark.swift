import ArgumentParser
import Foundation
import NIOCore
import RPC

/// `rpc-bench codec`: what one payload costs to encode and decode, binary versus JSON.
///
/// Runs in-process with no I/O, so it isolates the encoding from the rest of a call.
/// Build with `-c release`; debug numbers say nothing.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure payload encoding and decoding, binary versus JSON."
    )

    @Option(name: .shortAndLong, help: "Encodes and decodes per encoding.")
    var iterations = 1_000_000

    @Option(help: "Untimed iterations before measuring.")
    var warmup = 10_000

    @Option(help: "Measure only this encoding (binary or json); both by default.")
    var only: String?

    func run() throws {
        let post = BenchmarkMicropost.sample
        print("model: micropost (id, username, text, referenced username, date)")
        print("encoding  bytes  encode ns/op  decode ns/op")
        for encoding in PayloadEncoding.allCases where self.only == nil || self.only == "\(encoding)" {
            let result = try self.measure(encoding, value: post)
            let name = "\(encoding)".padding(toLength: 8, withPad: " ", startingAt: 0)
            print(
                "\(name)  \(String(result.bytes).leftPadded(to: 5))  "
                    + "\(String(format: "%12.1f", result.encodeNanoseconds))  "
                    + "\(String(format: "%12.1f", result.decodeNanoseconds))"
            )
        }
    }

    private struct Result {
        var bytes: Int
        var encodeNanoseconds: Double
        var decodeNanoseconds: Double
    }

    private func measure(_ encoding: PayloadEncoding, value: BenchmarkMicropost) throws -> Result {
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        try encoding.encode(value, into: &buffer)
        let encoded = buffer
        guard try encoding.decode(BenchmarkMicropost.self, from: &buffer) == value else {
            throw ValidationError("\(encoding) does not round-trip the sample")
        }

        // The buffer is cleared, not reallocated, as a connection reuses its output buffer.
        let encodeTime = try Self.time(warmup: self.warmup, iterations: self.iterations) {
            buffer.clear()
            try encoding.encode(value, into: &buffer)
            return buffer.readableBytes
        }
        let decodeTime = try Self.time(warmup: self.warmup, iterations: self.iterations) {
            var input = encoded
            return try encoding.decode(BenchmarkMicropost.self, from: &input).id
        }
        return Result(
            bytes: encoded.readableBytes,
            encodeNanoseconds: encodeTime,
            decodeNanoseconds: decodeTime
        )
    }

    /// Nanoseconds per call of `body`, whose results are summed and checked so the
    /// optimizer cannot drop the work.
    private static func time(warmup: Int, iterations: Int, _ body: () throws -> Int) throws -> Double {
        var checksum = 0
        for _ in 0..<warmup {
            checksum &+= try body()
        }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            checksum &+= try body()
        }
        let elapsed = start.duration(to: clock.now)
        if checksum == 42 {
            print("", terminator: "")
        }
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        return nanoseconds / Double(max(iterations, 1))
    }
}

/// A representative payload: what a timeline read returns per post (about 128 bytes).
struct BenchmarkMicropost: Codable, Equatable {
    var id: Int
    var username: String
    var text: String
    var referencedUsername: String?
    var createdAt: Date

    static let sample = BenchmarkMicropost(
        id: 1_234_567,
        username: "grace_hopper",
        text: "The most dangerous phrase in the language is: 'We've always done it this way.' (Grace Hopper, 1976)",
        referencedUsername: "ada",
        createdAt: Date(timeIntervalSince1970: 1_735_689_600.25)
    )
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(width - self.count, 0)) + self
    }
}
