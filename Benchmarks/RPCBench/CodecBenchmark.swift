import AppServerProtocol
import ArgumentParser
import Foundation
import MicropostsModels
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

    @Option(help: "Measure only this model (post, page, envelope); all by default.")
    var model: String?

    func run() throws {
        let posts = (0..<20).map { Micropost.benchmarkSample(id: 1_234_567 - Int64($0)) }
        print("post:         Micropost (id, author, text, referenced, two dates)")
        print("page:         Page<Micropost> of 20")
        print("envelope:     HTTPEnvelopeRequest of a GET with five headers")
        print("model         encoding  bytes  encode ns/op  decode ns/op")
        try self.report("post", posts[0])
        try self.report("page", Page(items: posts, hasNext: true))
        try self.report("envelope", HTTPEnvelopeRequest.benchmarkSample)
    }

    private func report<T: WireMessage & Equatable>(_ model: String, _ value: T) throws {
        guard self.model == nil || self.model == model else { return }
        for encoding in PayloadEncoding.allCases where self.only == nil || self.only == "\(encoding)" {
            let result = try self.measure(encoding, value: value)
            print(
                "\(model.padding(toLength: 12, withPad: " ", startingAt: 0))  "
                    + "\("\(encoding)".padding(toLength: 8, withPad: " ", startingAt: 0))  "
                    + "\(String(result.bytes).leftPadded(to: 5))  "
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

    private func measure<T: WireMessage & Equatable>(_ encoding: PayloadEncoding, value: T) throws -> Result {
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        try encoding.encode(value, into: &buffer)
        let encoded = buffer
        guard try encoding.decode(T.self, from: &buffer) == value else {
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
            _ = try encoding.decode(T.self, from: &input)
            return input.readerIndex
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

extension Micropost {
    /// What a timeline read returns per post (about 128 bytes). JSON dates have millisecond
    /// precision, so the round-trip check needs whole milliseconds.
    static func benchmarkSample(id: Int64) -> Micropost {
        let date = Date(timeIntervalSince1970: 1_735_689_600.25)
        return Micropost(
            id: id,
            author: "grace_hopper",
            text: "The most dangerous phrase in the language is: 'We've always done it this way.' (Grace Hopper, 1976)",
            referenced: "ada",
            createdAt: date,
            updatedAt: date
        )
    }
}

extension HTTPEnvelopeRequest {
    static let benchmarkSample = HTTPEnvelopeRequest(
        method: "GET", target: "/api/users/grace_hopper/timeline?page=2",
        headers: [
            HTTPHeaderField(name: "Host", value: "microposts.example"),
            HTTPHeaderField(name: "Authorization", value: "Bearer " + String(repeating: "x", count: 160)),
            HTTPHeaderField(name: "Accept", value: "application/json"),
            HTTPHeaderField(name: "User-Agent", value: "wrk"),
            HTTPHeaderField(name: "X-Request-ID", value: "0123456789abcdef0123456789abcdef"),
        ],
        body: ByteBuffer(), clientAddress: "127.0.0.1", scheme: "http", host: "microposts.example", port: 80)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(width - self.count, 0)) + self
    }
}
