import RPC

// Hand-written binary payload coding: the bytes of the synthesized `Codable` conformance.
// Keep it in step with the properties of `User`; the tests compare it with those bytes.

extension User: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.username)
    }
}

extension User: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        self.init(username: try input.read(String.self))
    }
}
