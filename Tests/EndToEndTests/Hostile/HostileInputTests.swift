import AppServerProtocol
import Foundation
import MicropostsModels
import RPC
import ServiceTestSupport
import XCTest

/// Hostile input against the real processes (data, worker, edge on loopback): random and
/// mutated bytes on every listening port, oversize and slow requests, 10 000 idle connections,
/// malformed JSON and parameters, forged tokens. Every input is generated from a fixed seed, so
/// a failure replays. After each barrage the processes must be alive, serve a normal request,
/// and (where it applies) give their memory back.
final class HostileInputTests: XCTestCase {
    static let mebibyte = 1 << 20
    /// How far above its starting RSS a process may stay once a barrage is over.
    static let memorySlack = 32 * mebibyte

    /// Starts a stack whose processes are stopped when the test ends, however it ends.
    func startStack(workerCount: Int = 1, withEdge: Bool = true, edgeArguments: [String] = []) async throws -> HostileStack {
        let stack = HostileStack()
        addTeardownBlock { await stack.stop() }
        try await stack.start(workerCount: workerCount, withEdge: withEdge, edgeArguments: edgeArguments)
        return stack
    }

    // MARK: - 1. RPC ports

    struct RPCInput: Sendable {
        var kind: String
        var bytes: [UInt8]
        /// Responses a server that accepted every frame would send (0 when it must close).
        var expectedResponses: Int
        /// The bytes break a rule that closes the connection (bad length, bad hello, …).
        var mustClose: Bool
    }

    struct RPCOutcome: Sendable {
        var kind: String
        var mustClose: Bool
        var closed: Bool
        var statuses: [String]
        var envelopeStatuses: [Int]
    }

    /// Whether a byte stream that should start with a frame will be refused once it is all read:
    /// a length outside 6…limit is refused at once; a complete frame of another type than hello
    /// (or a bad hello) is refused when it arrives; an incomplete frame is waited for.
    static func refusesAtOnce(_ bytes: [UInt8], limit: Int = 4 * 1024 * 1024) -> Bool {
        guard bytes.count >= 4 else { return false }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        if length < 6 || length > limit { return true }
        guard bytes.count >= 4 + length else { return false }
        // A version-3 hello: magic, version, 32-byte nonce, proof length 0 or 32, the proof.
        let payloadLength = length - 6
        guard bytes[4] == RPCFrames.helloType, payloadLength >= 39, Array(bytes[10..<14]) == Array("MRPC".utf8),
            bytes[14] == 0, bytes[15] == 3, bytes[48] == 0 || bytes[48] == 32, payloadLength == 39 + Int(bytes[48])
        else { return true }
        return refusesAfterHello(Array(bytes[(4 + length)...]))
    }

    /// After a valid hello, what the server refuses as soon as it is complete: a bad length,
    /// an unknown frame type, a second hello, a frame only a server sends, an authenticate
    /// frame (type 8) to a server without a secret.
    static func refusesAfterHello(_ bytes: [UInt8], limit: Int = 4 * 1024 * 1024) -> Bool {
        guard bytes.count >= 4 else { return false }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        if length < 6 || length > limit { return true }
        guard bytes.count >= 4 + length else { return false }
        let type = bytes[4]
        return type == 0 || type > 7 || type == RPCFrames.helloType || type == RPCFrames.responseType || type == RPCFrames.goAwayType
    }

    static func rpcInputs(payloads: [[UInt8]], seed: UInt64, scale: Double) -> [RPCInput] {
        var fuzz = FuzzBytes(seed: seed)
        var inputs: [RPCInput] = []
        func count(_ n: Int) -> Int { max(1, Int(Double(n) * scale)) }
        let hello = RPCFrames.hello
        for _ in 0..<count(120) {
            let valid = hello + RPCFrames.frame(type: RPCFrames.requestType, callID: 1, payload: fuzz.pick(payloads))
            inputs.append(RPCInput(kind: "mutated stream", bytes: fuzz.mutate(valid), expectedResponses: 1, mustClose: false))
        }
        for _ in 0..<count(160) {
            // Framing intact, payload mutated: reaches the request head and body decoders.
            let flags: UInt8 = fuzz.chance(10) ? 1 : 0
            let frame = RPCFrames.frame(
                type: RPCFrames.requestType, flags: flags, callID: UInt32(fuzz.int(1...1000)), payload: fuzz.mutate(fuzz.pick(payloads)))
            inputs.append(RPCInput(kind: "mutated payload", bytes: hello + frame, expectedResponses: 1, mustClose: false))
        }
        for _ in 0..<count(30) {
            let valid = hello + RPCFrames.frame(type: RPCFrames.requestType, callID: 1, payload: fuzz.pick(payloads))
            inputs.append(
                RPCInput(kind: "truncated", bytes: Array(valid.prefix(fuzz.int(1..<valid.count))), expectedResponses: 0, mustClose: false))
        }
        for _ in 0..<count(80) {
            let bytes = fuzz.randomBytes(count: fuzz.int(1...4096))
            inputs.append(RPCInput(kind: "random", bytes: bytes, expectedResponses: 0, mustClose: refusesAtOnce(bytes)))
        }
        for _ in 0..<count(50) {
            let tail = fuzz.randomBytes(count: fuzz.int(1...1024))
            inputs.append(RPCInput(kind: "hello + random", bytes: hello + tail, expectedResponses: 0, mustClose: refusesAfterHello(tail)))
        }
        for _ in 0..<count(6) {
            // Many frames on one connection: mutated requests with pings and cancels between them.
            var bytes = hello
            var requests = 0
            for callID in 1...40 {
                switch fuzz.int(0..<10) {
                case 0: bytes += RPCFrames.frame(type: RPCFrames.pingType, callID: 0, payload: fuzz.randomBytes(count: 8))
                case 1: bytes += RPCFrames.frame(type: RPCFrames.cancelType, callID: UInt32(fuzz.int(1...40)), payload: [])
                default:
                    requests += 1
                    bytes += RPCFrames.frame(
                        type: RPCFrames.requestType, callID: UInt32(callID), payload: fuzz.mutate(fuzz.pick(payloads), maxMutations: 2))
                }
            }
            inputs.append(RPCInput(kind: "frame flood", bytes: bytes, expectedResponses: requests, mustClose: false))
        }
        let fixed: [(String, [UInt8], Bool)] = [
            ("length 2^31-1", hello + [0x7F, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0, 1], true),
            ("length limit + 1", hello + [0x00, 0x40, 0x00, 0x01, 2, 0, 0, 0, 0, 1], true),
            ("length at limit, never sent", hello + [0x00, 0x40, 0x00, 0x00, 2, 0, 0, 0, 0, 1], false),
            ("length 0", hello + [0, 0, 0, 0], true),
            ("request before hello", RPCFrames.frame(type: RPCFrames.requestType, callID: 1, payload: payloads[0]), true),
            ("unknown frame type", hello + RPCFrames.frame(type: 0xEE, callID: 1, payload: [1, 2, 3]), true),
            ("second hello", hello + hello, true),
            ("hello of version 1", RPCFrames.frame(type: RPCFrames.helloType, callID: 0, payload: Array("MRPC".utf8) + [0, 1]), true),
            ("hello of version 2", RPCFrames.frame(type: RPCFrames.helloType, callID: 0, payload: Array("MRPC".utf8) + [0, 2]), true),
            ("hello of version 4", RPCFrames.frame(type: RPCFrames.helloType, callID: 0, payload: Array("MRPC".utf8) + [0, 4]), true),
            ("bad magic", RPCFrames.frame(type: RPCFrames.helloType, callID: 0, payload: Array("XRPC".utf8) + [0, 1]), true),
            ("response from a client", hello + RPCFrames.frame(type: RPCFrames.responseType, callID: 1, payload: [0, 0, 0]), true),
            ("HTTP request", Array("GET /api/users/alice HTTP/1.1\r\nHost: x\r\n\r\n".utf8), true),
        ]
        for (kind, bytes, mustClose) in fixed {
            inputs.append(RPCInput(kind: kind, bytes: bytes, expectedResponses: 0, mustClose: mustClose))
        }
        return inputs
    }

    /// Sends every input on its own connection, `width` at a time, and records what came back.
    static func send(_ inputs: [RPCInput], toRPCPort port: Int) async throws -> [RPCOutcome] {
        try await hostileConcurrentMap(inputs, width: 32) { input in
            let connection = try await HostileRawConnection.connect(port: port)
            await connection.send(input.bytes)
            if input.mustClose {
                _ = await connection.waitForClose(timeout: .seconds(3))
            } else {
                let expected = input.expectedResponses
                await connection.waitFor(timeout: expected > 1 ? .seconds(3) : .milliseconds(300)) { bytes in
                    let frames = RPCFrames.frames(in: bytes)
                    return expected > 0 && frames.count(where: { $0.type == RPCFrames.responseType }) >= expected
                }
            }
            let closed = connection.isClosed
            await connection.close()
            let frames = RPCFrames.frames(in: connection.received)
            let responses = frames.filter { $0.type == RPCFrames.responseType }
            return RPCOutcome(
                kind: input.kind, mustClose: input.mustClose, closed: closed,
                statuses: responses.map { RPCFrames.status(of: $0).map { "\($0)" } ?? "?" },
                envelopeStatuses: responses.compactMap { RPCFrames.status(of: $0) == .ok ? RPCFrames.envelopeStatus(of: $0) : nil })
        }
    }

    static func summary(_ outcomes: [RPCOutcome]) -> String {
        var kinds: [String: Int] = [:]
        var statuses: [String: Int] = [:]
        var envelopes: [String: Int] = [:]
        for outcome in outcomes {
            kinds[outcome.kind, default: 0] += 1
            for status in outcome.statuses { statuses[status, default: 0] += 1 }
            for status in outcome.envelopeStatuses { envelopes["\(status / 100)xx", default: 0] += 1 }
        }
        let closed = outcomes.count(where: \.closed)
        func describe(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return "\(outcomes.count) connections (\(describe(kinds))); closed by the server: \(closed); "
            + "responses: \(describe(statuses)); HTTP statuses in worker.http answers: \(describe(envelopes))"
    }

    func testRPCPortsSurviveRandomAndMutatedFrames() async throws {
        let stack = try await startStack()
        let edgePort = stack.edgePort
        let workerHTTP = stack.workerHTTPPorts[0]
        try await stack.register("alice", port: edgePort)
        let token = try await stack.login("alice", port: edgePort)
        try await stack.assertServesNormally(port: edgePort, token: token, user: "alice", "before the RPC barrage")

        func envelope(_ method: String, _ target: String, body: String = "") -> HTTPEnvelopeRequest {
            HTTPEnvelopeRequest(
                method: method, target: target,
                headers: [
                    HTTPHeaderField(name: "Authorization", value: "Bearer \(token)"),
                    HTTPHeaderField(name: "Content-Type", value: "application/json"),
                ],
                body: Array(body.utf8), clientAddress: "127.0.0.1", scheme: "http", host: "localhost", port: 8080)
        }
        let workerPayloads = try [
            RPCFrames.requestPayload(RPCMethod.handleHTTP.name, envelope("GET", "/api/users/alice")),
            RPCFrames.requestPayload(
                RPCMethod.handleHTTP.name, envelope("POST", "/api/users/alice/collection", body: #"{"text":"from a fuzzed frame"}"#)),
            RPCFrames.requestPayload(RPCMethod.handleHTTP.name, envelope("GET", "/api/search?text=fuzz&page=1&size=5")),
            RPCFrames.requestPayload(RPCMethod.health.name, HealthRequest()),
        ]
        let dataPayloads = try [
            RPCFrames.requestPayload(RPCMethod.getUser.name, GetUserRequest(username: "alice")),
            RPCFrames.requestPayload(
                RPCMethod.searchMicroposts.name, SearchMicropostsRequest(text: "fuzz", username: "ali", page: PageRequest(page: 1, size: 5))
            ),
            RPCFrames.requestPayload(
                RPCMethod.listMicroposts.name, UserListRequest(username: "alice", page: PageRequest(page: 2, size: 3))),
            RPCFrames.requestPayload(
                RPCMethod.createMicropost.name, CreateMicropostRequest(username: "alice", text: "from a fuzzed frame", referenced: "alice")),
            RPCFrames.requestPayload(
                RPCMethod.patchMicropost.name,
                PatchMicropostRequest(username: "alice", id: 1, actingUsername: "alice", text: "patched", referenced: .set("alice"))),
            RPCFrames.requestPayload(RPCMethod.checkRevokedTokens.name, CheckRevokedTokensRequest(tokenIDs: ["a", "b"])),
            RPCFrames.requestPayload(RPCMethod.following.name, UserListRequest(username: "alice")),
            RPCFrames.requestPayload(RPCMethod.health.name, HealthRequest()),
        ]
        let targets: [(member: HostileStack.Member, port: Int, payloads: [[UInt8]], seed: UInt64)] = [
            (stack.workers[0], stack.workerRPCPorts[0], workerPayloads, 0x5EED_0001),
            (try XCTUnwrap(stack.data), stack.dataRPCPort, dataPayloads, 0x5EED_0002),
        ]

        let started = ContinuousClock.now
        for target in targets {
            // A small warm-up first, so the baseline includes what the first calls allocate for good.
            _ = try await Self.send(
                Self.rpcInputs(payloads: target.payloads, seed: target.seed ^ 0xFFFF, scale: 0.2), toRPCPort: target.port)
            let before = target.member.residentBytes
            let inputs = Self.rpcInputs(payloads: target.payloads, seed: target.seed, scale: 1)
            let outcomes = try await Self.send(inputs, toRPCPort: target.port)
            let peak = target.member.residentBytes
            let after = try await HostileStack.residentBytes(of: target.member, settlingBelow: before + Self.memorySlack)
            print(
                "[hostile] \(target.member.name) RPC :\(target.port): \(Self.summary(outcomes)); "
                    + "RSS before \(before / 1024) KiB, right after \(peak / 1024) KiB, settled \(after / 1024) KiB; "
                    + "'closing RPC connection' warnings logged: \(target.member.count("closing RPC connection"))")

            stack.assertAllAlive("after the RPC barrage on \(target.member.name)")
            for outcome in outcomes where outcome.mustClose {
                XCTAssertTrue(outcome.closed, "\(target.member.name): a '\(outcome.kind)' connection was not closed by the server")
            }
            let internalErrors = outcomes.flatMap(\.statuses).count(where: { $0 == "\(RPCStatusCode.internal)" })
            XCTAssertEqual(
                internalErrors, 0, "\(target.member.name) answered 'internal' to malformed requests; log: \(target.member.log())")
            let serverErrors = outcomes.flatMap(\.envelopeStatuses).filter { $0 >= 500 }
            XCTAssertEqual(serverErrors, [], "\(target.member.name) answered 5xx to mutated envelopes; log: \(target.member.log())")
            XCTAssertLessThan(after, before + Self.memorySlack, "\(target.member.name) RSS did not come back near its start")
            try await stack.assertServesNormally(
                port: edgePort, token: token, user: "alice", "through the edge after the barrage on \(target.member.name)")
            try await stack.assertServesNormally(
                port: workerHTTP, token: token, user: "alice", "through the worker's --http after the barrage on \(target.member.name)")
        }
        print("[hostile] RPC barrages took \(ContinuousClock.now - started)")
    }

    // MARK: - 2. The edge's HTTP port

    func testEdgeSurvivesRandomAndMutatedHTTP() async throws {
        // Short timeouts so that a connection left incomplete or idle is closed by the edge quickly.
        let stack = try await startStack(edgeArguments: [
            "--header-timeout", "500ms", "--body-timeout", "500ms", "--keepalive-timeout", "500ms",
        ])
        let port = stack.edgePort
        try await stack.register("alice", port: port)
        try await stack.register("bob", port: port)
        let token = try await stack.login("alice", port: port)
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "before the HTTP barrage")

        func request(_ head: String, body: String? = nil, chunked: Bool = false) -> [UInt8] {
            var text = head.replacingOccurrences(of: "\n", with: "\r\n")
            if let body, !chunked { text += "Content-Length: \(body.utf8.count)\r\n" }
            text += "\r\n" + (body ?? "")
            return Array(text.utf8)
        }
        let auth = "Authorization: Bearer \(token)\n"
        let seeds: [[UInt8]] = [
            request("GET /api/users/alice HTTP/1.1\nHost: localhost\n\(auth)Accept: application/json\n"),
            request(
                "POST /api/users/alice/collection HTTP/1.1\nHost: localhost\n\(auth)Content-Type: application/json\n",
                body: #"{"text":"fuzzing"}"#),
            request(
                "POST /api/users/alice/following HTTP/1.1\nHost: localhost\n\(auth)Content-Type: application/json\nTransfer-Encoding: chunked\n",
                body: "8\r\n{\"userna\r\n9\r\nme\":\"bob\"}\r\n0\r\n\r\n", chunked: true),
            request(
                "PATCH /api/users/alice/collection/1 HTTP/1.1\nHost: localhost\n\(auth)Content-Type: application/json\nExpect: 100-continue\n",
                body: #"{"referenced":null}"#),
            request("GET /static/site.css HTTP/1.1\nHost: localhost\nIf-None-Match: \"x\"\nRange: bytes=0-3\nAccept-Encoding: gzip\n"),
            request("GET /api/search?text=fuzz&page=1&size=5 HTTP/1.1\nHost: localhost\n\(auth)")
                + request("GET /api/users/alice/timeline?page=2 HTTP/1.1\nHost: localhost\n\(auth)X-Request-ID: abc\n"),
            request(
                "POST /api/users HTTP/1.1\nHost: localhost\nContent-Type: application/json\n",
                body: #"{"username":"fz","password":"password123"}"#),
        ]
        var fuzz = FuzzBytes(seed: 0x5EED_0003)
        var inputs: [(kind: String, bytes: [UInt8])] = []
        for seed in seeds {
            for _ in 0..<100 { inputs.append(("mutated request", fuzz.mutateHTTP(seed))) }
        }
        for _ in 0..<120 { inputs.append(("random bytes", fuzz.randomBytes(count: fuzz.int(1...2048)))) }
        for _ in 0..<60 {
            // Printable lines with CRLFs: gets past "is this text" and into the request-line parser.
            let lines = (0..<fuzz.int(1...8)).map { _ in
                String((0..<fuzz.int(0...80)).map { _ in Character(Unicode.Scalar(UInt8(fuzz.int(32...126)))) })
            }
            inputs.append(("random text lines", Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)))
        }
        let indexed = Array(inputs.enumerated())

        let before = try XCTUnwrap(stack.edge).residentBytes
        let started = ContinuousClock.now
        let outcomes = try await hostileConcurrentMap(indexed, width: 48) { index, input in
            // Half the inputs end with a FIN (the edge answers what is complete, then closes),
            // half leave the connection open (the edge's timeouts must close it).
            let finish = index.isMultiple(of: 2)
            let outcome = try await HostileHTTP.exchange(port: port, bytes: input.bytes, finishSending: finish, timeout: .seconds(8))
            let parsed = HostileHTTP.parse(outcome.bytes, requestIsHead: input.bytes.starts(with: Array("HEAD ".utf8)))
            return (
                index: index, kind: input.kind, closed: outcome.closed, statuses: parsed.replies.map(\.status),
                leftover: parsed.leftover, serverErrorText: HostileHTTP.containsServerError(outcome.bytes), bytes: outcome.bytes
            )
        }
        let elapsed = ContinuousClock.now - started

        var histogram: [Int: Int] = [:]
        for outcome in outcomes { for status in outcome.statuses { histogram[status, default: 0] += 1 } }
        let silentCloses = outcomes.count(where: { $0.statuses.isEmpty })
        print(
            "[hostile] edge HTTP: \(inputs.count) connections (\(seeds.count * 100) mutated requests, 120 random byte strings, 60 random text lines) in \(elapsed); "
                + "statuses: \(histogram.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")); closed without a response: \(silentCloses); "
                + "edge RSS before \(before / 1024) KiB, after \(try XCTUnwrap(stack.edge).residentBytes / 1024) KiB")

        for outcome in outcomes {
            let input = String(decoding: inputs[outcome.index].bytes.prefix(300), as: UTF8.self).debugDescription
            XCTAssertTrue(outcome.closed, "the edge left connection #\(outcome.index) (\(outcome.kind)) open: \(input)")
            XCTAssertFalse(
                outcome.statuses.contains { $0 >= 500 }, "5xx for \(outcome.kind) #\(outcome.index): \(outcome.statuses) for \(input)")
            XCTAssertFalse(
                outcome.serverErrorText,
                "a 5xx status line for #\(outcome.index): \(String(decoding: outcome.bytes.prefix(300), as: UTF8.self))")
            XCTAssertEqual(
                outcome.leftover, 0,
                "unparseable answer to #\(outcome.index) \(input): \(String(decoding: outcome.bytes.prefix(300), as: UTF8.self).debugDescription)"
            )
        }
        stack.assertAllAlive("after the HTTP barrage")
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "after the HTTP barrage")
    }

    // MARK: - 3. Limits and slow clients through the real process

    func testOversizeHeadersAndBodiesAndSlowClients() async throws {
        let stack = try await startStack(edgeArguments: ["--header-timeout", "1s", "--body-timeout", "1s"])
        let port = stack.edgePort
        try await stack.register("alice", port: port)
        let token = try await stack.login("alice", port: port)

        let bigHeader = try await HostileHTTP.request(
            port: port, "GET", "/api/users/alice", token: token, headers: [("X-Big", String(repeating: "a", count: 20_000))])
        XCTAssertEqual(bigHeader.status, 431, bigHeader.text)
        let manyHeaders = try await HostileHTTP.request(
            port: port, "GET", "/api/users/alice", token: token, headers: (0..<2000).map { ("X-H\($0)", "0123456789") })
        XCTAssertEqual(manyHeaders.status, 431, manyHeaders.text)
        let longTarget = try await HostileHTTP.request(
            port: port, "GET", "/api/users/" + String(repeating: "a", count: 20_000), token: token)
        XCTAssertTrue([414, 431].contains(longTarget.status), "\(longTarget.status) \(longTarget.text)")

        // Announced too large: refused before the body is read.
        let announced = try await HostileHTTP.exchange(
            port: port,
            bytes: Array("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{".utf8),
            finishSending: false, timeout: .seconds(5))
        XCTAssertEqual(HostileHTTP.parse(announced.bytes).replies.map(\.status), [413])
        XCTAssertTrue(announced.closed)
        // Lengths beyond Int (the decoder takes up to 2^64 - 1) are too large too, not absent:
        // refused at once, not left waiting for a body without any timeout.
        for length in ["9223372036854775808", "18446744073709551615"] {
            let overflowing = try await HostileHTTP.exchange(
                port: port,
                bytes: Array(
                    "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n\r\n{".utf8),
                finishSending: false, timeout: .seconds(5))
            XCTAssertEqual(HostileHTTP.parse(overflowing.bytes).replies.map(\.status), [413], "Content-Length: \(length)")
            XCTAssertTrue(overflowing.closed, "Content-Length: \(length) left the connection open")
            let bodiless = try await HostileHTTP.exchange(
                port: port, bytes: Array("GET /api/users/alice HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n".utf8),
                finishSending: false, timeout: .seconds(5))
            XCTAssertEqual(HostileHTTP.parse(bodiless.bytes).replies.map(\.status), [413], "GET with Content-Length: \(length)")
            XCTAssertTrue(bodiless.closed, "GET with Content-Length: \(length) left the connection open")
        }
        // Sent too large, with a length and chunked.
        let sent = try await HostileHTTP.request(
            port: port, "POST", "/api/users/alice/collection", token: token, headers: [("Content-Type", "application/json")],
            body: [UInt8](repeating: 0x20, count: (1 << 20) + 1))
        XCTAssertEqual(sent.status, 413, sent.text)
        var chunked = Array(
            "POST /api/users/alice/collection HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .utf8)
        for _ in 0..<18 { chunked += Array("10000\r\n".utf8) + [UInt8](repeating: 0x20, count: 0x10000) + Array("\r\n".utf8) }
        chunked += Array("0\r\n\r\n".utf8)
        let chunkedReply = try await HostileHTTP.exchange(port: port, bytes: chunked, finishSending: false, timeout: .seconds(5))
        XCTAssertEqual(HostileHTTP.parse(chunkedReply.bytes).replies.map(\.status), [413])

        // Slowloris: a head trickled one byte at a time never completes; the edge hangs up at the header timeout.
        let slow = try await HostileRawConnection.connect(port: port)
        await slow.send(Array("GET /api/users/alice HTTP/1.1\r\nHost: x\r\n".utf8))
        let slowStart = ContinuousClock.now
        for byte in "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 where !slow.isClosed {
            await slow.send([byte])
            try await Task.sleep(for: .milliseconds(100))
        }
        let slowClosed = await slow.waitForClose(timeout: .seconds(3))
        XCTAssertTrue(slowClosed, "the slow head was not cut off")
        let slowElapsed = ContinuousClock.now - slowStart
        XCTAssertLessThan(slowElapsed, .seconds(4))
        XCTAssertFalse(HostileHTTP.containsServerError(slow.received))
        await slow.close()
        // A connection that never says anything is closed too.
        let silent = try await HostileRawConnection.connect(port: port)
        let silentClosed = await silent.waitForClose(timeout: .seconds(4))
        XCTAssertTrue(silentClosed, "a silent connection was kept")
        await silent.close()
        // A body that stops halfway: 408.
        let stalled = try await HostileHTTP.exchange(
            port: port,
            bytes: Array(
                "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":".utf8),
            finishSending: false, timeout: .seconds(5))
        XCTAssertEqual(HostileHTTP.parse(stalled.bytes).replies.map(\.status), [408])
        print("[hostile] limits: 431 ×2, \(longTarget.status) for a 20 KB target, 413 ×7; slow head cut after \(slowElapsed)")

        stack.assertAllAlive("after the limit checks")
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "after the limit checks")
    }

    // MARK: - 4. 10 000 idle connections

    func testTenThousandIdleConnections() async throws {
        let idle = 10_000
        // This process holds the client ends and the edge (which inherits the limit) the server ends.
        let limit = IdleSockets.raiseDescriptorLimit(to: idle + 2048)
        // A machine that cannot hold the connections fails the test rather than skipping it:
        // a skipped check would read as a passed one.
        guard limit >= idle + 1024 else {
            return XCTFail("RLIMIT_NOFILE cannot be raised above \(limit); raise the hard limit (ulimit -Hn) to run this test")
        }
        // Default --max-connections is exactly 10 000: leave room for the well-behaved client. A
        // long header timeout keeps the idle connections from being closed while we look. All of
        // them come from 127.0.0.1, so the per-address cap is off.
        let stack = try await startStack(edgeArguments: [
            "--max-connections", "\(idle + 500)", "--max-connections-per-address", "0", "--header-timeout", "60s",
        ])
        let edge = try XCTUnwrap(stack.edge)
        let port = stack.edgePort
        try await stack.register("alice", port: port)
        let token = try await stack.login("alice", port: port)
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "before the idle connections")
        let baseDescriptors = edge.openDescriptors
        let start = edge.residentBytes

        /// Opens `idle` connections, runs `whileOpen`, closes them; returns (RSS while open, RSS after, seconds to open).
        func round(_ whileOpen: () async throws -> Void = {}) async throws -> (during: Int, after: Int, opened: Duration) {
            let started = ContinuousClock.now
            let sockets = try await IdleSockets.open(count: idle, port: port, accepted: { edge.openDescriptors })
            var closed = false
            defer { if !closed { IdleSockets.closeAll(sockets) } }
            try await waitFor(edge, descriptorsAtLeast: baseDescriptors + idle, timeout: .seconds(15))
            let opened = ContinuousClock.now - started
            let during = edge.residentBytes
            try await whileOpen()
            IdleSockets.closeAll(sockets)
            closed = true
            try await waitFor(edge, descriptorsAtMost: baseDescriptors + 20, timeout: .seconds(15))
            try await Task.sleep(for: .milliseconds(300))
            return (during, edge.residentBytes, opened)
        }

        // The first rounds raise the allocator's high-water mark: glibc keeps freed memory for
        // reuse rather than returning it, so RSS stays near the peak whether or not anything
        // leaked (calling malloc_trim(0) in the edge at that point gives it back). What a leak
        // shows is growth from round to round once that is reached: a per-connection leak of
        // about 1.2 KB (the connection handler's timer closure holding its own context) costs
        // about 11 MiB per round of 10 000 connections, round after round.
        var rounds: [(during: Int, after: Int, opened: Duration)] = []
        var probe = Duration.zero
        for index in 0..<7 {
            rounds.append(
                try await round {
                    guard index == 0 else { return }
                    let probeStart = ContinuousClock.now
                    try await stack.assertServesNormally(port: port, token: token, user: "alice", "with \(idle) idle connections open")
                    probe = ContinuousClock.now - probeStart
                })
        }
        let mib = Self.mebibyte
        print(
            "[hostile] \(idle) idle connections × \(rounds.count) rounds: each opened and accepted in \(rounds.map { "\($0.opened)".prefix(5) + " s" }); "
                + "a normal read + write took \(probe) with them open; edge RSS (KiB) at start \(start / 1024), "
                + "with them open / after closing: \(rounds.map { "\($0.during / 1024)/\($0.after / 1024)" }.joined(separator: ", "))")
        // Growth in the first rounds is the allocator settling (measured: up to ~8 MiB until the
        // fourth round on a busy machine, then flat); the leak added ~11 MiB every round, ~33 MiB over the last three.
        let settled = rounds[3]
        let last = rounds[rounds.count - 1]
        XCTAssertLessThan(
            last.after, settled.after + 16 * mib, "the edge's RSS keeps growing with every \(idle) connections opened and closed (leak)")
        XCTAssertLessThan(last.during, settled.during + 16 * mib, "\(idle) open connections cost more memory every round (leak)")
        stack.assertAllAlive("after the idle connections")
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "after the idle connections closed")
    }

    private func waitFor(
        _ member: HostileStack.Member, descriptorsAtLeast minimum: Int = 0, descriptorsAtMost maximum: Int = .max, timeout: Duration
    ) async throws {
        let until = ContinuousClock.now + timeout
        while true {
            let count = member.openDescriptors
            if count >= minimum, count <= maximum { return }
            guard ContinuousClock.now < until else {
                XCTFail("\(member.name) holds \(count) descriptors, expected \(minimum)…\(maximum)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
