public import NIOCore

/// A response body that writes its own JSON, byte for byte what ``JSONResponse``'s encoder
/// would produce (compact, keys sorted, slashes unescaped), without the encoder's
/// per-value boxing: for the bodies of hot paths. The `Encodable` conformance is the
/// reference the written bytes are tested against.
public protocol JSONWritable: Encodable {
    /// About the length of the JSON: the buffer is allocated once with this capacity, so that
    /// a long list does not reallocate as it grows.
    var jsonCapacity: Int { get }
    func writeJSON(to output: inout JSONOutput)
}

/// A body's JSON as it is written. Each call reserves room for the worst case of what it
/// writes (one value, or a whole small object) and fills it through a ``ByteWriter``.
public struct JSONOutput {
    /// The JSON written so far.
    @inlinable
    public var buffer: ByteBuffer { storage }

    @usableFromInline var storage: ByteBuffer

    /// An empty output whose buffer holds `capacity` bytes before it grows.
    @inlinable
    public init(capacity: Int) {
        storage = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Runs `write` with room for `maximumLength` bytes, the most it may write.
    @inlinable
    public mutating func write(atMost maximumLength: Int, _ write: (inout ByteWriter) -> Void) {
        storage.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumLength) { room in
            // No more than asked for, even when the buffer has more: a bound that is too small
            // then traps on any input that reaches it, not only near the end of a full buffer.
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: room.prefix(maximumLength)))
            write(&writer)
            return writer.count
        }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    /// The elements' capacities and the punctuation.
    @inlinable
    public var jsonCapacity: Int {
        reduce(2) { $0 + $1.jsonCapacity + 1 }
    }

    /// `[element,element,…]`.
    @inlinable
    public func writeJSON(to output: inout JSONOutput) {
        for (index, element) in enumerated() {
            output.write(atMost: 1) { $0.byte(index == 0 ? UInt8(ascii: "[") : UInt8(ascii: ",")) }
            element.writeJSON(to: &output)
        }
        output.write(atMost: 2) { isEmpty ? $0.literal("[]") : $0.literal("]") }
    }
}
