import NIOCore
import XCTest

@testable import RPC

/// The authenticated handshake as pure state machines: what each side accepts and refuses.
final class HandshakeAuthenticationTests: XCTestCase {
    private let secret = RPCSecret("a-test-secret-of-at-least-32-bytes-long")!
    private let otherSecret = RPCSecret("another-secret-of-at-least-32-bytes-long")!
    private let clientNonce = [UInt8](repeating: 0xC1, count: Hello.nonceSize)
    private let serverNonce = [UInt8](repeating: 0x5E, count: Hello.nonceSize)

    private func server(secret: RPCSecret?, nonce: [UInt8]? = nil) -> ServerConnectionStateMachine {
        ServerConnectionStateMachine(maximumConcurrentCalls: 8, secret: secret, serverNonce: nonce ?? serverNonce)
    }

    /// The server's hello for a client hello carrying `clientNonce`.
    private func serverHello(_ machine: inout ServerConnectionStateMachine) -> Hello? {
        guard case .sendHello(let hello, _) = machine.received(.hello, callID: 0, hello: Hello(nonce: clientNonce)) else { return nil }
        return hello
    }

    func testSecretNeedsThirtyTwoBytesAndNeverPrintsItself() {
        XCTAssertNil(RPCSecret(String(repeating: "x", count: 31)))
        let secret = RPCSecret(String(repeating: "x", count: 32))
        XCTAssertNotNil(secret)
        XCTAssertFalse("\(secret!)".contains("xxxx"))
    }

    func testMutualProofWithTheSameSecret() throws {
        var server = server(secret: secret)
        let hello = try XCTUnwrap(serverHello(&server))
        XCTAssertEqual(hello.nonce, serverNonce)
        XCTAssertEqual(hello.proof.count, HandshakeProof.size)
        XCTAssertEqual(server.state, .awaitingProof)
        XCTAssertEqual(server.received(.request, callID: 1), .refuseUnauthenticated(reason: "request frame before authenticating"))

        var server2 = self.server(secret: secret)
        var client = ClientConnectionStateMachine<Int>(secret: secret, clientNonce: clientNonce)
        let reply = try XCTUnwrap(serverHello(&server2))
        guard case .awaitCatalog(let proof?) = client.receivedHello(reply) else {
            return XCTFail("client refused a server with the same secret")
        }
        XCTAssertEqual(server2.received(.authenticate, callID: 0, proof: proof), .sendCatalog)
        XCTAssertEqual(server2.state, .active)
        XCTAssertEqual(server2.received(.request, callID: 1), .startCall(callID: 1))
    }

    func testWrongSecretMissingProofAndRequestsBeforeProofAreRefusedSilently() throws {
        var client = ClientConnectionStateMachine<Int>(secret: otherSecret, clientNonce: clientNonce)
        var honest = server(secret: secret)
        let hello = try XCTUnwrap(serverHello(&honest))
        // The client sees the mismatch first, from the server's proof, and never sends its own.
        guard case .fail(let error) = client.receivedHello(hello) else { return XCTFail("client accepted a server with another secret") }
        XCTAssertEqual(error.code, .unauthenticated)
        XCTAssertFalse(error.wasProcessed)
        XCTAssertTrue(error.message.contains("RPC_SECRET"), error.message)

        // A proof made with another secret.
        let wrong = HandshakeProof.make(.client, secret: otherSecret, clientNonce: clientNonce, serverNonce: serverNonce)
        guard case .refuseUnauthenticated = honest.received(.authenticate, callID: 0, proof: wrong) else { return XCTFail() }
        XCTAssertEqual(honest.state, .closed)
        XCTAssertEqual(honest.received(.request, callID: 1), .none, "nothing after a refusal")

        for (name, proof) in [
            ("empty", [UInt8]()), ("short", [UInt8](repeating: 1, count: 16)), ("zeros", [UInt8](repeating: 0, count: 32)),
        ] {
            var machine = server(secret: secret)
            _ = serverHello(&machine)
            guard case .refuseUnauthenticated = machine.received(.authenticate, callID: 0, proof: proof) else { return XCTFail(name) }
        }
        for type in [FrameType.request, .ping, .cancel, .hello] {
            var machine = server(secret: secret)
            _ = serverHello(&machine)
            guard case .refuseUnauthenticated = machine.received(type, callID: 1, hello: Hello(nonce: clientNonce)) else {
                return XCTFail("\(type) before the proof was not refused")
            }
        }
    }

    func testProofsCannotBeReplayedOnAnotherConnectionOrReflected() throws {
        var first = server(secret: secret, nonce: [UInt8](repeating: 1, count: 32))
        let firstHello = try XCTUnwrap(serverHello(&first))
        let recorded = HandshakeProof.make(.client, secret: secret, clientNonce: clientNonce, serverNonce: firstHello.nonce)
        XCTAssertEqual(first.received(.authenticate, callID: 0, proof: recorded), .sendCatalog)

        // Same client nonce, a new connection: the server's fresh nonce makes the old proof worthless.
        var second = server(secret: secret, nonce: [UInt8](repeating: 2, count: 32))
        let secondHello = try XCTUnwrap(serverHello(&second))
        guard case .refuseUnauthenticated = second.received(.authenticate, callID: 0, proof: recorded) else {
            return XCTFail("replayed proof accepted")
        }

        // The server's own proof sent back: the role label tells them apart.
        var third = server(secret: secret)
        let thirdHello = try XCTUnwrap(serverHello(&third))
        guard case .refuseUnauthenticated = third.received(.authenticate, callID: 0, proof: thirdHello.proof) else {
            return XCTFail("reflected proof accepted")
        }
        XCTAssertNotEqual(secondHello.proof, thirdHello.proof)
    }

    func testMismatchedConfigurationsFailOnTheClientWithTheSettingToFix() throws {
        var unauthenticatedServer = server(secret: nil)
        let plainHello = try XCTUnwrap(serverHello(&unauthenticatedServer))
        XCTAssertTrue(plainHello.proof.isEmpty)
        XCTAssertEqual(unauthenticatedServer.state, .active)

        var withSecret = ClientConnectionStateMachine<Int>(secret: secret, clientNonce: clientNonce)
        guard case .fail(let error) = withSecret.receivedHello(plainHello) else { return XCTFail("a server without a secret was trusted") }
        XCTAssertEqual(error.code, .unauthenticated)
        XCTAssertTrue(error.message.contains("does not authenticate"), error.message)

        var authenticatingServer = server(secret: secret)
        let provingHello = try XCTUnwrap(serverHello(&authenticatingServer))
        var withoutSecret = ClientConnectionStateMachine<Int>(clientNonce: clientNonce)
        guard case .fail(let missing) = withoutSecret.receivedHello(provingHello) else { return XCTFail() }
        XCTAssertEqual(missing.code, .unauthenticated)
        XCTAssertTrue(missing.message.contains("RPC_SECRET"), missing.message)

        var plainClient = ClientConnectionStateMachine<Int>(clientNonce: clientNonce)
        XCTAssertEqual(plainClient.receivedHello(plainHello), .awaitCatalog(proof: nil))
        // A server without a secret takes no authenticate frame.
        guard case .close = unauthenticatedServer.received(.authenticate, callID: 0, proof: [UInt8](repeating: 0, count: 32)) else {
            return XCTFail()
        }
    }

    func testHelloWireFormat() throws {
        let proof = [UInt8](repeating: 7, count: 32)
        var buffer = ByteBuffer()
        Hello(nonce: serverNonce, proof: proof).write(to: &buffer)
        XCTAssertEqual(buffer.readableBytes, 4 + 2 + 32 + 1 + 32)
        XCTAssertEqual(try Hello(from: buffer), Hello(nonce: serverNonce, proof: proof))

        var plain = ByteBuffer()
        Hello(nonce: clientNonce).write(to: &plain)
        XCTAssertEqual(Array(plain.readableBytesView.prefix(6)), Array("MRPC".utf8) + [0, 3])
        XCTAssertEqual(try Hello(from: plain).proof, [])

        var truncated = plain
        truncated.moveWriterIndex(to: plain.writerIndex - 2)
        XCTAssertThrowsError(try Hello(from: truncated))
        var trailing = plain
        trailing.writeInteger(UInt8(0))
        XCTAssertThrowsError(try Hello(from: trailing))
        var oddProof = ByteBuffer()
        oddProof.writeInteger(Hello.magic)
        oddProof.writeInteger(Hello.currentVersion)
        oddProof.writeBytes(clientNonce)
        oddProof.writeInteger(UInt8(5))
        oddProof.writeBytes([1, 2, 3, 4, 5])
        XCTAssertThrowsError(try Hello(from: oddProof))
        // Another version: only magic and version are read, whatever follows.
        var other = ByteBuffer()
        other.writeInteger(Hello.magic)
        other.writeInteger(UInt16(1))
        XCTAssertEqual(try Hello(from: other).version, 1)
    }

    func testNoncesAreFreshAndProofsDependOnEveryInput() {
        XCTAssertNotEqual(HandshakeProof.makeNonce(), HandshakeProof.makeNonce())
        XCTAssertEqual(HandshakeProof.makeNonce().count, Hello.nonceSize)
        let base = HandshakeProof.make(.client, secret: secret, clientNonce: clientNonce, serverNonce: serverNonce)
        XCTAssertNotEqual(base, HandshakeProof.make(.server, secret: secret, clientNonce: clientNonce, serverNonce: serverNonce))
        XCTAssertNotEqual(base, HandshakeProof.make(.client, secret: otherSecret, clientNonce: clientNonce, serverNonce: serverNonce))
        XCTAssertNotEqual(base, HandshakeProof.make(.client, secret: secret, clientNonce: serverNonce, serverNonce: serverNonce))
        XCTAssertNotEqual(base, HandshakeProof.make(.client, secret: secret, clientNonce: clientNonce, serverNonce: clientNonce))
        XCTAssertTrue(HandshakeProof.isValid(base, .client, secret: secret, clientNonce: clientNonce, serverNonce: serverNonce))
    }
}
