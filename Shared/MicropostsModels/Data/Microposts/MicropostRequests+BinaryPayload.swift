import RPC

// Hand-written binary payload coding of the hot micropost requests: the bytes of their
// synthesized `Codable` conformances (stored properties in declaration order). Keep them in
// step with the properties; the tests compare them with the `Codable` bytes.

extension GetMicropostRequest: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.username)
        output.write(self.id)
    }
}

extension GetMicropostRequest: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let username = try input.read(String.self)
        let id = try input.read(Int64.self)
        self.init(username: username, id: id)
    }
}

extension UserListRequest: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        output.write(self.username)
        try output.write(self.page)
    }
}

extension UserListRequest: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let username = try input.read(String.self)
        let page = try input.read(PageRequest.self)
        self.init(username: username, page: page)
    }
}
