import Logging
import NIOCore

/// The methods a server answers, registered against their shared descriptors so the compiler
/// checks that a handler takes and returns the descriptor's types.
public struct RPCRouter: Sendable {
    public typealias Handler<Request, Response> = @Sendable (Request, RPCCallContext) async throws -> Response

    private(set) var methods: [String: RegisteredMethod] = [:]

    public init() {}

    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping Handler<Request, Response>
    ) {
        precondition(methods[method.name] == nil, "method \(method.name) registered twice")
        methods[method.name] = RegisteredMethod(name: method.name, isIdempotent: method.isIdempotent) { body, encoding, context in
            var body = body
            let request: Request
            do {
                request = try encoding.decode(Request.self, from: &body)
            } catch {
                throw RPCError(.invalidArgument, "cannot decode \(method.name) request: \(error)")
            }
            let response = try await handler(request, context)
            var frame = ByteBuffer()
            frame.reserveCapacity(64)
            try frame.writeFrame(type: .response, flags: encoding.frameFlags, callID: context.callID) { buffer in
                ResponseHead(status: .ok).write(to: &buffer)
                try encoding.encode(response, into: &buffer)
            }
            return frame
        }
    }

    public var methodNames: [String] { methods.keys.sorted() }

    /// What `rpc.methods` answers: every registered method, itself included.
    mutating func registerMethodList() {
        var listed = methods.values.map { MethodList.Method(name: $0.name, isIdempotent: $0.isIdempotent) }
        listed.append(MethodList.Method(name: RPCMethod.methodList.name, isIdempotent: RPCMethod.methodList.isIdempotent))
        let list = MethodList(methods: listed.sorted { $0.name < $1.name })
        register(.methodList) { _, _ in list }
    }
}

/// A handler with its types erased: takes the request body, returns a complete response frame.
/// Encoding happens in the handler's task so the event loop only writes bytes.
struct RegisteredMethod: Sendable {
    let name: String
    let isIdempotent: Bool
    let invoke: @Sendable (ByteBuffer, PayloadEncoding, RPCCallContext) async throws -> ByteBuffer
}

extension PayloadEncoding {
    init(flags: FrameFlags) { self = flags.contains(.jsonPayload) ? .json : .binary }
    var frameFlags: FrameFlags { self == .json ? .jsonPayload : [] }
}
