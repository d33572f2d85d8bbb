public import JSONText

/// Writes bytes through a raw pointer into room reserved beforehand, so a body's many small
/// values do not each go through `ByteBuffer`'s capacity and uniqueness checks. Every call
/// checks its value's worst case against the room left once, not byte by byte: a reservation
/// that was too small traps instead of writing past it. A writer lives only inside the call
/// that lends it its room.
///
/// Inlinable throughout: app bodies call it per value on the hot path, across the module
/// boundary.
public struct ByteWriter {
    @usableFromInline let room: UnsafeMutableRawBufferPointer
    @usableFromInline var written = 0

    /// A writer into `room`; what it writes starts at `room`'s first byte.
    @inlinable
    public init(_ room: UnsafeMutableRawBufferPointer) {
        self.room = room
    }

    /// The bytes written so far, from the start of the room.
    @inlinable
    public var count: Int { written }

    /// `-9223372036854775808`, the longest `decimal(_:)`.
    public static let maximumDecimalLength = 20

    /// The longest `jsonString(text)`: every byte as `\u00XX`, between quotes; `null` for nil.
    @inlinable
    public static func maximumJSONLength(_ text: String?) -> Int {
        guard let text else { return 4 }
        return JSONString.maximumEscapedBytesPerByte * text.utf8.count + 2
    }

    /// One byte.
    @inlinable
    public mutating func byte(_ value: UInt8) {
        requireRoom(1)
        put(value)
    }

    /// A literal's bytes, e.g. a key with its quotes and colon.
    @inlinable
    public mutating func literal(_ text: StaticString) {
        requireRoom(text.utf8CodeUnitCount)
        text.withUTF8Buffer { put($0) }
    }

    /// `text`'s UTF-8 as it is: for text that cannot need escaping, such as links.
    @inlinable
    public mutating func utf8(_ text: String) {
        Self.withUTF8(text) { bytes in
            requireRoom(bytes.count)
            put(bytes)
        }
    }

    /// `value` in decimal digits, as JSON writes an integer.
    @inlinable
    public mutating func decimal(_ value: Int64) {
        requireRoom(Self.maximumDecimalLength)
        if value < 0 { put(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // Counted first so that the digits, found last first, go straight to their places.
        var length = 1
        var power: UInt64 = 10
        while length < 19, magnitude >= power {
            length += 1
            power &*= 10
        }
        written += length
        var index = written
        repeat {
            index -= 1
            room[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// A JSON string as ``JSONString`` writes it, `null` for nil.
    @inlinable
    public mutating func jsonString(_ text: String?) {
        guard let text else { return literal("null") }
        Self.withUTF8(text) { bytes in
            requireRoom(JSONString.maximumEscapedBytesPerByte * bytes.count + 2)
            put(UInt8(ascii: "\""))
            JSONString.escape(bytes) { put($0) }
            put(UInt8(ascii: "\""))
        }
    }

    /// Hands the next `length` bytes to `fill`, which must initialize every one of them.
    @inlinable
    public mutating func fill(_ length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        requireRoom(length)
        fill(UnsafeMutableRawBufferPointer(rebasing: room[written..<written + length]))
        written += length
    }

    @inlinable
    func requireRoom(_ length: Int) {
        precondition(length <= room.count - written, "ByteWriter: the reserved room is too small")
    }

    @inlinable
    mutating func put(_ byte: UInt8) {
        room[written] = byte
        written += 1
    }

    @inlinable
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        UnsafeMutableRawBufferPointer(rebasing: room[written..<written + bytes.count]).copyMemory(from: UnsafeRawBufferPointer(bytes))
        written += bytes.count
    }

    /// The string's UTF-8 in place; native and small strings always have it, so only a
    /// bridged string would be copied.
    @inlinable
    static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var native = text
        return native.withUTF8(body)
    }
}
