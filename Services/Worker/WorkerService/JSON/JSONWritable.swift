import NIOCore

/// A response body that writes its own JSON, byte for byte what `JSONResponse`'s encoder
/// would produce (compact, keys sorted, slashes unescaped), without the encoder's
/// per-value boxing: the bodies of the hot paths — microposts, users, pages of them. The
/// `Encodable` conformance is the reference the written bytes are tested against.
protocol JSONWritable: Encodable {
    /// About the length of the JSON: the buffer is allocated once with this capacity, so that
    /// a page of posts does not reallocate as it grows.
    var jsonCapacity: Int { get }
    func writeJSON(to output: inout JSONOutput)
}

/// A body's JSON as it is written. Each call reserves room for the worst case of what it
/// writes (one value, or a whole small object) and fills it through a ``ByteWriter``.
struct JSONOutput {
    private(set) var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Runs `write` with room for `maximumLength` bytes, the most it may write.
    mutating func write(atMost maximumLength: Int, _ write: (inout ByteWriter) -> Void) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumLength) { room in
            // No more than asked for, even when the buffer has more: a bound that is too small
            // then traps on any input that reaches it, not only near the end of a full buffer.
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: room.prefix(maximumLength)))
            write(&writer)
            return writer.count
        }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    var jsonCapacity: Int {
        reduce(2) { $0 + $1.jsonCapacity + 1 }
    }

    func writeJSON(to output: inout JSONOutput) {
        for (index, element) in enumerated() {
            output.write(atMost: 1) { $0.byte(index == 0 ? UInt8(ascii: "[") : UInt8(ascii: ",")) }
            element.writeJSON(to: &output)
        }
        output.write(atMost: 2) { isEmpty ? $0.literal("[]") : $0.literal("]") }
    }
}
