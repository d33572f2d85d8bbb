import RPC

// Hand-written binary payload coding: the bytes of the synthesized `Codable` conformances
// (stored properties in declaration order: `page, size`; `items, hasNext`). Keep them in
// step with the properties; the tests compare them with the `Codable` bytes.

extension PageRequest: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.page)
        output.write(self.size)
    }
}

extension PageRequest: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let page = try input.read(Int.self)
        let size = try input.read(Int.self)
        self.init(page: page, size: size)
    }
}

// Only for hand-written items, whose array is then written without a cast per item; a page
// of anything else keeps its `Codable` conformance.
extension Page: BinaryPayloadEncodable where Item: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        try output.writeArray(self.items)
        output.write(self.hasNext)
    }
}

extension Page: BinaryPayloadDecodable where Item: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let items = try input.readArray(of: Item.self)
        let hasNext = try input.read(Bool.self)
        self.init(items: items, hasNext: hasNext)
    }
}
