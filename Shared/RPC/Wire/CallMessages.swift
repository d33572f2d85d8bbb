public import NIOCore

/// What precedes the body in a request frame:
/// `u8 name length, name, u64 timeout in nanoseconds (0 = none), u8 metadata count,
/// { u8 key length, key, u16 value length, value }…`, then the body to the frame's end.
public struct RequestHead: Sendable, Equatable {
    public var method: String
    /// Time the caller still waits, measured when the frame was written; the server turns it
    /// back into a deadline on its own clock, so the two clocks never need to agree.
    public var timeoutNanoseconds: UInt64
    public var metadata: RPCMetadata

    public init(method: String, timeoutNanoseconds: UInt64, metadata: RPCMetadata) {
        self.method = method
        self.timeoutNanoseconds = timeoutNanoseconds
        self.metadata = metadata
    }

    public func write(to buffer: inout ByteBuffer) throws(FrameError) {
        try buffer.writeShortString(method, what: "method name")
        buffer.writeInteger(timeoutNanoseconds)
        guard metadata.count <= UInt8.max else { throw .malformedPayload(.request, "more than 255 metadata entries") }
        buffer.writeInteger(UInt8(metadata.count))
        for (key, value) in metadata {
            try buffer.writeShortString(key, what: "metadata key")
            let length = value.utf8.count
            guard length <= UInt16.max else { throw .malformedPayload(.request, "metadata value too long") }
            buffer.writeInteger(UInt16(length))
            buffer.writeString(value)
        }
    }

    /// Reads the head and leaves `payload` positioned at the body.
    public init(from payload: inout ByteBuffer) throws(FrameError) {
        method = try payload.readShortString(in: .request, what: "method name")
        guard let timeout = payload.readInteger(as: UInt64.self) else { throw .malformedPayload(.request, "missing timeout") }
        timeoutNanoseconds = timeout
        guard let count = payload.readInteger(as: UInt8.self) else { throw .malformedPayload(.request, "missing metadata count") }
        metadata = RPCMetadata()
        metadata.entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let key = try payload.readShortString(in: .request, what: "metadata key")
            guard let length = payload.readInteger(as: UInt16.self),
                let value = payload.readString(length: Int(length))
            else { throw .malformedPayload(.request, "truncated metadata value") }
            metadata.entries.append((key: key, value: value))
        }
    }
}

/// What precedes the body in a response frame: `u8 status, u16 message length, message`.
/// Only `ok` responses carry a body.
public struct ResponseHead: Sendable, Equatable {
    public var status: RPCStatusCode
    public var message: String

    public init(status: RPCStatusCode, message: String = "") {
        self.status = status
        self.message = message
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(status.rawValue)
        buffer.writeLongMessage(message)
    }

    public init(from payload: inout ByteBuffer) throws(FrameError) {
        guard let raw = payload.readInteger(as: UInt8.self) else { throw .malformedPayload(.response, "missing status") }
        guard let status = RPCStatusCode(rawValue: raw) else { throw .malformedPayload(.response, "unknown status \(raw)") }
        self.status = status
        message = try payload.readLongMessage(in: .response)
    }
}

/// `u32 last call id the server accepted, u8 status, u16 message length, message`.
public struct GoAway: Sendable, Equatable {
    public var lastCallID: UInt32
    public var status: RPCStatusCode
    public var message: String

    public init(lastCallID: UInt32, status: RPCStatusCode, message: String) {
        self.lastCallID = lastCallID
        self.status = status
        self.message = message
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(lastCallID)
        buffer.writeInteger(status.rawValue)
        buffer.writeLongMessage(message)
    }

    public init(from payload: ByteBuffer) throws(FrameError) {
        var payload = payload
        guard let last = payload.readInteger(as: UInt32.self),
            let raw = payload.readInteger(as: UInt8.self),
            let status = RPCStatusCode(rawValue: raw)
        else { throw .malformedPayload(.goAway, "truncated or unknown status") }
        lastCallID = last
        self.status = status
        message = try payload.readLongMessage(in: .goAway)
    }
}

extension ByteBuffer {
    fileprivate mutating func writeShortString(_ string: String, what: String) throws(FrameError) {
        let length = string.utf8.count
        guard length <= UInt8.max else { throw .malformedPayload(.request, "\(what) longer than 255 bytes") }
        writeInteger(UInt8(length))
        writeString(string)
    }

    fileprivate mutating func readShortString(in type: FrameType, what: String) throws(FrameError) -> String {
        guard let length = readInteger(as: UInt8.self), let string = (try? readUTF8ValidatedString(length: Int(length))) ?? nil else {
            throw .malformedPayload(type, "truncated or invalid \(what)")
        }
        return string
    }

    fileprivate mutating func writeLongMessage(_ message: String) {
        if message.utf8.count <= UInt16.max {
            writeInteger(UInt16(message.utf8.count))
            writeString(message)
            return
        }
        // Messages are for humans; cut rather than fail when one is absurdly long.
        var utf8 = Array(message.utf8.prefix(Int(UInt16.max)))
        while !utf8.isEmpty, String(validating: utf8, as: UTF8.self) == nil { utf8.removeLast() }
        writeInteger(UInt16(utf8.count))
        writeBytes(utf8)
    }

    fileprivate mutating func readLongMessage(in type: FrameType) throws(FrameError) -> String {
        guard let length = readInteger(as: UInt16.self), let message = (try? readUTF8ValidatedString(length: Int(length))) ?? nil else {
            throw .malformedPayload(type, "truncated or invalid message")
        }
        return message
    }
}
