import RPC

// Hand-written binary payload coding of every request the edge forwards: the bytes of the
// synthesized `Codable` conformances (stored properties in declaration order; a body is its
// byte count and the bytes, read back as a slice of the payload without a copy). Keep them in step with the
// properties; the tests compare them with the `Codable` bytes.

extension HTTPHeaderField: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.name)
        output.write(self.value)
    }
}

extension HTTPHeaderField: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let name = try input.read(String.self)
        let value = try input.read(String.self)
        self.init(name: name, value: value)
    }
}

extension HTTPEnvelopeRequest: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        output.write(self.method)
        output.write(self.target)
        try output.writeArray(self.headers)
        output.writeBytes(self.body)
        output.write(self.clientAddress)
        output.write(self.scheme)
        output.write(self.host)
        output.write(self.port)
    }
}

extension HTTPEnvelopeRequest: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let method = try input.read(String.self)
        let target = try input.read(String.self)
        let headers = try input.readArray(of: HTTPHeaderField.self)
        let body = try input.readByteBuffer()
        let clientAddress = try input.read(String.self)
        let scheme = try input.read(String.self)
        let host = try input.read(String.self)
        let port = try input.read(Int.self)
        self.init(
            method: method, target: target, headers: headers, body: body,
            clientAddress: clientAddress, scheme: scheme, host: host, port: port
        )
    }
}

extension HTTPEnvelopeResponse: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        output.write(self.status)
        try output.writeArray(self.headers)
        output.writeBytes(self.body)
    }
}

extension HTTPEnvelopeResponse: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let status = try input.read(Int.self)
        let headers = try input.readArray(of: HTTPHeaderField.self)
        let body = try input.readByteBuffer()
        self.init(status: status, headers: headers, body: body)
    }
}
