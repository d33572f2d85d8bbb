import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// Hand-written binary payload coding: the bytes of the synthesized `Codable` conformance
// (stored properties in declaration order), without the generic machinery. Keep it in step
// with the properties of `Micropost`; the tests compare it with the `Codable` bytes.

extension Micropost: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.id)
        output.write(self.author)
        output.write(self.text)
        output.writeIfPresent(self.referenced)
        output.write(self.createdAt)
        output.write(self.updatedAt)
    }
}

extension Micropost: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let id = try input.read(Int64.self)
        let author = try input.read(String.self)
        let text = try input.read(String.self)
        let referenced = try input.readIfPresent(String.self)
        let createdAt = try input.read(Date.self)
        let updatedAt = try input.read(Date.self)
        self.init(id: id, author: author, text: text, referenced: referenced, createdAt: createdAt, updatedAt: updatedAt)
    }
}
