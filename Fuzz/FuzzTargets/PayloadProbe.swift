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

/// The wire format's own oracle: whatever bytes decode must encode to bytes that decode to
/// the same value (encoding is a fixed point after one decode), and its JSON form must read
/// back to the same JSON.
enum PayloadDifferential {
    static func check<T: WireMessage>(_ type: T.Type, _ bytes: ByteBuffer, what: String) {
        // The same bytes read as the message's JSON form (JSONText's parser, then the fields):
        // refused with an error or read, never a trap.
        var asJSON = bytes
        _ = try? T(json: &asJSON)
        var input = bytes
        guard let value = try? T(wire: &input) else { return }
        let encoded = encode(value)
        var again = encoded
        do {
            let decodedAgain = try T(wire: &again)
            guard encode(decodedAgain) == encoded else { fatalError("\(what): a decoded value does not survive encode → decode") }
        } catch {
            fatalError("\(what): a decoded value, encoded again, no longer decodes: \(error)")
        }
        // JSON keeps dates to the millisecond, so its fixed point is its own text, not the bytes.
        do {
            var json = ByteBuffer()
            try value.encodeJSON(into: &json)
            let text = json
            let fromJSON = try T(json: &json)
            var rewritten = ByteBuffer()
            try fromJSON.encodeJSON(into: &rewritten)
            guard rewritten == text else { fatalError("\(what): a decoded value's JSON does not survive decode → encode") }
        } catch {
            fatalError("\(what): a decoded value does not round-trip through JSON: \(error)")
        }
    }

    private static func encode<T: WireMessage>(_ value: T) -> ByteBuffer {
        var buffer = ByteBuffer()
        do {
            try value.encodeWire(into: &buffer)
        } catch {
            fatalError("a value that decoded does not encode: \(error)")
        }
        return buffer
    }
}
