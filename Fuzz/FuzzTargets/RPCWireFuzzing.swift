import NIOCore
import RPC

/// The RPC's decoders against arbitrary bytes. The first byte chooses what the rest is:
/// 0, a byte stream as a peer would send it (frames, each parsed as its type says and fed to
/// both connection state machines); otherwise the payload of one method's request and
/// response (see ``PayloadProbe``). Bad input must be refused with an error, never a trap.
package enum RPCWireFuzzing {
    /// Small enough that the fuzzer reaches the limit, large enough for any seed.
    static let maximumFrameSize = 1 << 16

    package static func run(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let rest = ByteBuffer(bytes: input.dropFirst())
        if selector == 0 {
            frames(rest)
        } else {
            let probes = PayloadProbe.all
            probes[Int(selector - 1) % probes.count].check(rest)
        }
    }

    static func frames(_ bytes: ByteBuffer) {
        var buffer = bytes
        let decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        var server = ServerConnectionStateMachine(maximumConcurrentCalls: 4)
        // The client's pending calls are the ones this stream started, so responses can match.
        var client = ClientConnectionStateMachine<UInt32>()
        while true {
            let frame: Frame
            do {
                guard let next = try decoder.decodeFrame(from: &buffer) else { return }
                frame = next
            } catch {
                return
            }
            switch frame.type {
            case .hello:
                guard let hello = try? Hello(from: frame.payload) else { return }
                _ = server.received(.hello, callID: frame.callID, hello: hello)
                _ = client.receivedHello(hello)
            case .authenticate:
                _ = server.received(.authenticate, callID: frame.callID, proof: Array(buffer: frame.payload))
            case .catalog:
                var payload = frame.payload
                guard (try? MethodCatalog(wire: &payload)) != nil else { return }
                _ = client.receivedCatalog()
                _ = server.received(.catalog, callID: frame.callID)
            case .request:
                var payload = frame.payload
                guard let head = try? RequestHead(from: &payload) else { return }
                if case .startCall(let callID) = server.received(.request, callID: frame.callID) {
                    PayloadProbe.byMethod[head.method]?.check(payload)
                    _ = server.callFinished(callID)
                    _ = client.startCall(callID, pending: callID)
                }
            case .response:
                var payload = frame.payload
                guard (try? ResponseHead(from: &payload)) != nil else { return }
                _ = client.receivedResponse(frame.callID)
                _ = server.received(.response, callID: frame.callID)
            case .goAway:
                guard let goAway = try? GoAway(from: frame.payload) else { return }
                _ = client.receivedGoAway(goAway)
                _ = server.received(.goAway, callID: frame.callID)
            case .cancel, .ping, .pong:
                _ = server.received(frame.type, callID: frame.callID)
            }
        }
    }
}
