import AppServerProtocol
import MicropostsModels
import NIOCore
import RPC

/// One RPC method's request and response types, checked against arbitrary bytes.
struct PayloadProbe: Sendable {
    let method: String
    let check: @Sendable (ByteBuffer) -> Void

    init<Request, Response>(_ method: RPCMethod<Request, Response>) {
        self.method = method.name
        self.check = { bytes in
            PayloadDifferential.check(Request.self, bytes, what: "\(method.name) request")
            PayloadDifferential.check(Response.self, bytes, what: "\(method.name) response")
        }
    }

    /// Every method the services speak: each type a peer may have to decode.
    static let all: [PayloadProbe] = [
        PayloadProbe(.health),
        PayloadProbe(.handleHTTP),
        PayloadProbe(.registerUser), PayloadProbe(.verifyCredentials), PayloadProbe(.logIn), PayloadProbe(.getUser),
        PayloadProbe(.createMicropost), PayloadProbe(.getMicropost), PayloadProbe(.replaceMicropost),
        PayloadProbe(.patchMicropost), PayloadProbe(.deleteMicropost), PayloadProbe(.listMicroposts),
        PayloadProbe(.timeline), PayloadProbe(.searchMicroposts),
        PayloadProbe(.revokeToken), PayloadProbe(.checkRevokedTokens),
        PayloadProbe(.follow), PayloadProbe(.unfollow), PayloadProbe(.following), PayloadProbe(.followers),
    ]

    static let byMethod: [String: PayloadProbe] = Dictionary(all.map { ($0.method, $0) }, uniquingKeysWith: { first, _ in first })
}

/// The binary payload format's own oracle: the hand-written fast path must accept exactly
/// the bytes the `Codable` conformance accepts and decode them to the same value (see
/// `BinaryPayloadDecodable`), and whatever decodes must encode and decode back to itself.
enum PayloadDifferential {
    static func check<T: Codable>(_ type: T.Type, _ bytes: ByteBuffer, what: String) {
        let fast = decode(T.self, bytes, handWritten: true)
        let generic = decode(T.self, bytes, handWritten: false)
        switch (fast, generic) {
        case (.failure, .failure):
            return
        case (.success(let fastValue), .success(let genericValue)):
            let encoded = encode(fastValue)
            guard encoded == encode(genericValue) else {
                fatalError("\(what): the fast path and Codable decode the same bytes to different values")
            }
            switch decode(T.self, encoded, handWritten: true) {
            case .success(let again):
                guard encode(again) == encoded else { fatalError("\(what): a decoded value does not survive encode → decode") }
            case .failure(let error):
                fatalError("\(what): a decoded value, encoded again, no longer decodes: \(error)")
            }
        case (.success, .failure(let error)):
            fatalError("\(what): the fast path accepts bytes that Codable rejects (\(error))")
        case (.failure(let error), .success):
            fatalError("\(what): Codable accepts bytes that the fast path rejects (\(error))")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: ByteBuffer, handWritten: Bool) -> Result<T, any Error> {
        var decoder = BinaryPayloadDecoder()
        decoder.usesHandWrittenCoding = handWritten
        var buffer = bytes
        return Result { try decoder.decode(T.self, from: &buffer) }
    }

    private static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        var buffer = ByteBuffer()
        do {
            try BinaryPayloadEncoder().encode(value, into: &buffer)
        } catch {
            fatalError("a value that decoded does not encode: \(error)")
        }
        return buffer
    }
}
