import Logging
import NIOCore

/// The methods a server answers, registered against their shared descriptors so the compiler
/// checks that a handler takes and returns the descriptor's types.
public struct RPCRouter: Sendable {
    public typealias Handler<Request, Response> = @Sendable (Request, RPCCallContext) async throws -> Response

    package private(set) var methods: [String: RegisteredMethod] = [:]

    public init() {}

    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping Handler<Request, Response>
    ) {
        precondition(methods[method.name] == nil, "method \(method.name) registered twice")
        let describe: @Sendable () -> MethodDescription = {
            MethodDescription(
                name: method.name, isIdempotent: method.isIdempotent, request: PayloadShape.of(Request.self).rendered(),
                response: PayloadShape.of(Response.self).rendered())
        }
        methods[method.name] = RegisteredMethod(name: method.name, isIdempotent: method.isIdempotent, describe: describe) {
            body, encoding, context in
            var body = body
            let request: Request
            do {
                request = try encoding.decode(Request.self, from: &body)
            } catch {
                throw RPCError(.invalidArgument, "cannot decode \(method.name) request: \(error)")
            }
            let response = try await handler(request, context)
            var encoded = ResponseFraming.makeBody()
            try encoding.encode(response, into: &encoded)
            return encoded
        }
    }

    public var methodNames: [String] { methods.keys.sorted() }

    /// What `rpc.methods` and `rpc.describe` answer: every registered method, themselves included.
    mutating func registerReflection() {
        var listed = methods.values.map { MethodList.Method(name: $0.name, isIdempotent: $0.isIdempotent) }
        for method in [RPCMethod.methodList.name, RPCMethod.describe.name] {
            listed.append(MethodList.Method(name: method, isIdempotent: true))
        }
        let list = MethodList(methods: listed.sorted { $0.name < $1.name })
        register(.methodList) { _, _ in list }
        let described = methods
        let describeItself = MethodDescription(
            name: RPCMethod.describe.name, isIdempotent: true, request: PayloadShape.of(DescribeRequest.self).rendered(),
            response: PayloadShape.of(MethodDescription.self).rendered())
        register(.describe) { request, _ in
            if request.method == RPCMethod.describe.name { return describeItself }
            guard let method = described[request.method] else { throw RPCError(.notFound, "no method \(request.method)") }
            return method.describe()
        }
    }
}

/// A handler with its types erased: takes the request body, returns the encoded response body
/// laid out for framing in place (see ``ResponseFraming``). Encoding happens in the handler's
/// task so the event loop only writes bytes.
package struct RegisteredMethod: Sendable {
    package let name: String
    package let isIdempotent: Bool
    /// The method's request and response shapes, for `rpc.describe`.
    package let describe: @Sendable () -> MethodDescription
    package let invoke: @Sendable (ByteBuffer, PayloadEncoding, RPCCallContext) async throws -> ByteBuffer
}

extension PayloadEncoding {
    package init(flags: FrameFlags) { self = flags.contains(.jsonPayload) ? .json : .binary }
    package var frameFlags: FrameFlags { self == .json ? .jsonPayload : [] }
}
