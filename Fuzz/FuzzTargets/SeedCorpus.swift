import AppServerProtocol
import Foundation
import MicropostsModels
import NIOCore
import RPC

/// The committed seed corpus, as code: `<fuzzer> --write-seeds FOLDER` writes it, so the
/// seeds follow the wire format when it changes. Seeds are valid or nearly valid inputs; the
/// fuzzer mutates them into everything else.
package enum SeedCorpus {
    package static func rpcWire() throws -> [(name: String, bytes: [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        func payload<T: WireMessage>(_ selectorOf: String, _ value: T) throws -> [UInt8] {
            guard let index = PayloadProbe.all.firstIndex(where: { $0.method == selectorOf }) else {
                fatalError("no probe for \(selectorOf)")
            }
            var buffer = ByteBuffer(bytes: [UInt8(index + 1)])
            try value.encodeWire(into: &buffer)
            return Array(buffer: buffer)
        }
        let date = Date(timeIntervalSince1970: 1_780_000_000.123)
        let post = Micropost(id: 42, author: "ana", text: "hello", referenced: "bob", createdAt: date, updatedAt: date)
        seeds.append(("payload-health-request", try payload("rpc.health", HealthRequest())))
        seeds.append(("payload-envelope-request", try payload("worker.http", envelopeRequest)))
        seeds.append(
            (
                "payload-envelope-response",
                try payload(
                    "worker.http",
                    HTTPEnvelopeResponse(
                        status: 200, headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
                        body: ByteBuffer(string: "{}")))
            ))
        seeds.append(
            (
                "payload-create-micropost",
                try payload("microposts.create", CreateMicropostRequest(username: "ana", text: "hi", referenced: "bob"))
            ))
        seeds.append(("payload-micropost", try payload("microposts.get", post)))
        // The same probes read their bytes as JSON too: a seed in that form.
        func jsonPayload<T: WireMessage>(_ selectorOf: String, _ value: T) throws -> [UInt8] {
            guard let index = PayloadProbe.all.firstIndex(where: { $0.method == selectorOf }) else {
                fatalError("no probe for \(selectorOf)")
            }
            var buffer = ByteBuffer()
            try value.encodeJSON(into: &buffer)
            return [UInt8(index + 1)] + Array(buffer: buffer)
        }
        seeds.append(("payload-micropost-json", try jsonPayload("microposts.get", post)))
        seeds.append(("payload-page", try payload("microposts.list", Page(items: [post, post], hasNext: true))))
        seeds.append(
            (
                "payload-patch-micropost",
                try payload(
                    "microposts.patch",
                    PatchMicropostRequest(
                        username: "ana", id: 1, actingUsername: "ana", text: "x", referenced: .set("bob")))
            ))
        seeds.append(("payload-search", try payload("microposts.search", SearchMicropostsRequest(text: "a%_", username: "ana"))))
        seeds.append(("payload-register", try payload("users.register", RegisterUserRequest(username: "ana", password: "correct horse"))))
        seeds.append(
            ("payload-log-in-outcome", try payload("users.logIn", LogInOutcome(user: User(username: "ana"), retryAfterSeconds: 3))))

        let nonce = [UInt8](repeating: 7, count: Hello.nonceSize)
        let hello = frame(.hello, callID: 0) { Hello(nonce: nonce).write(to: &$0) }
        let helloWithProof = frame(.hello, callID: 0) {
            Hello(nonce: nonce, proof: [UInt8](repeating: 9, count: HandshakeProof.size)).write(to: &$0)
        }
        let authenticate = frame(.authenticate, callID: 0) { $0.writeBytes([UInt8](repeating: 9, count: HandshakeProof.size)) }
        func request(_ callID: UInt32, _ method: String, _ body: [UInt8]) -> [UInt8] {
            frame(.request, callID: callID) {
                var metadata = RPCMetadata()
                metadata.requestID = "seed-\(callID)"
                try? RequestHead(method: method, timeoutNanoseconds: 1_000_000_000, metadata: metadata).write(to: &$0)
                $0.writeBytes(body)
            }
        }
        seeds.append(("stream-hello", [0] + hello))
        seeds.append(("stream-hello-proof-authenticate", [0] + helloWithProof + authenticate))
        var envelope = ByteBuffer()
        try envelopeRequest.encodeWire(into: &envelope)
        seeds.append(("stream-request", [0] + hello + request(1, "worker.http", Array(buffer: envelope))))
        seeds.append(
            (
                "stream-calls",
                [0] + hello + request(1, "users.get", [0x0A, 3, 97, 110, 97]) + frame(.cancel, callID: 1) { _ in }
                    + frame(.ping, callID: 0) { $0.writeInteger(UInt64(1)) } + request(2, "no.such.method", [])
            ))
        seeds.append(
            (
                "stream-responses",
                [0] + hello
                    + frame(.catalog, callID: 0) { try? MethodCatalog(methods: ["rpc.health", "users.get"]).encodeWire(into: &$0) }
                    + frame(.response, callID: 1) {
                        ResponseHead(status: .ok).write(to: &$0)
                        $0.writeBytes([1, 2, 3])
                    }
                    + frame(.response, callID: 2, flags: .notProcessed) {
                        ResponseHead(status: .unavailable, message: "busy").write(to: &$0)
                    }
                    + frame(.goAway, callID: 0) { GoAway(lastCallID: 1, status: .unavailable, message: "draining").write(to: &$0) }
            ))
        return seeds
    }

    package static func edgeRequest() -> [(name: String, bytes: [UInt8])] {
        let requests: [(String, String)] = [
            ("get-index", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            ("get-static-gzip", "GET /static/style.css HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, br\r\n\r\n"),
            ("get-range", "GET /static/large.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=10-99,-5\r\nIf-Range: \"x\"\r\n\r\n"),
            (
                "conditional",
                "GET /static/index.html HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: \"a\", W/\"b\"\r\nIf-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n"
            ),
            ("head-listing", "HEAD /static/listing/ HTTP/1.1\r\nHost: localhost\r\n\r\nGET /static/listing/a%20b.txt HTTP/1.1\r\n\r\n"),
            (
                "traversal",
                "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\nGET /static/%2e%2e/.hidden HTTP/1.1\r\n\r\nGET /static/docs HTTP/1.1\r\n\r\n"
            ),
            (
                "api-post",
                "POST /api/users/ana/microposts?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/json\r\nContent-Length: 13\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n{\"text\":\"hi\"}"
            ),
            ("api-chunked", "PUT /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            ("pipelined", "GET / HTTP/1.1\r\n\r\nGET /api/a HTTP/1.1\r\n\r\nGET /static/style.css HTTP/1.1\r\nConnection: close\r\n\r\n"),
            ("http10", "GET /static/index.html HTTP/1.0\r\n\r\n"),
            ("expect-continue", "POST /api/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"),
            ("options-star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
            ("absolute-form", "GET http://example.com/api/x HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        ]
        return requests.map { ($0.0, Array($0.1.utf8)) }
    }

    package static func write(_ seeds: [(name: String, bytes: [UInt8])], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for seed in seeds {
            try Data(seed.bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(seed.name))
        }
    }

    private static let envelopeRequest = HTTPEnvelopeRequest(
        method: "POST", target: "/api/users/ana/microposts?page=2",
        headers: [
            HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "Authorization", value: "Bearer x"),
        ],
        body: ByteBuffer(string: "{\"text\":\"hi\"}"), clientAddress: "192.0.2.1", scheme: "http", host: "localhost", port: 8080)

    private static func frame(_ type: FrameType, callID: UInt32, flags: FrameFlags = [], _ writePayload: (inout ByteBuffer) -> Void)
        -> [UInt8]
    {
        var payload = ByteBuffer()
        writePayload(&payload)
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(Frame.headerSize + payload.readableBytes))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(callID)
        buffer.writeBuffer(&payload)
        return Array(buffer: buffer)
    }
}
