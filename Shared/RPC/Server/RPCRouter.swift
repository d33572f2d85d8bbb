import Logging
package import NIOCore

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
        precondition(methods[method.wireName] == nil, "method \(method.wireName) registered twice")
        let describe: @Sendable () -> MethodDescription = {
            MethodDescription(
                name: method.wireName, isIdempotent: method.isIdempotent, request: Request.wireSchema().renderedShape(),
                response: Response.wireSchema().renderedShape())
        }
        methods[method.wireName] = RegisteredMethod(
            name: method.wireName, version: method.version, isIdempotent: method.isIdempotent, describe: describe,
            contribute: { $0.add(method) }
        ) {
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

    /// The wire contract of every registered method: what a service commits and checks.
    public var contract: WireContract {
        var contract = WireContract()
        for method in methods.values { method.contribute(&contract) }
        return contract
    }

    /// What `rpc.methods`, `rpc.describe` and `rpc.contract` answer: every registered method,
    /// themselves included.
    mutating func registerReflection() {
        // Registered first with placeholders, so that the answers include these methods too.
        register(.methodList) { _, _ in MethodList() }
        register(.contract) { _, _ in ContractText() }
        register(.describe) { _, _ in MethodDescription() }
        let list = MethodList(
            methods: methods.values.map { MethodList.Method(name: $0.name, isIdempotent: $0.isIdempotent) }.sorted { $0.name < $1.name })
        let contractText = ContractText(text: contract.rendered())
        let described = methods
        methods[RPCMethod.methodList.wireName] = nil
        methods[RPCMethod.contract.wireName] = nil
        methods[RPCMethod.describe.wireName] = nil
        register(.methodList) { _, _ in list }
        register(.contract) { _, _ in contractText }
        register(.describe) { request, _ in
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
    package let version: Int
    package let isIdempotent: Bool
    /// The method's request and response shapes, for `rpc.describe`.
    package let describe: @Sendable () -> MethodDescription
    package let contribute: @Sendable (inout WireContract) -> Void
    package let invoke: @Sendable (ByteBuffer, PayloadEncoding, RPCCallContext) async throws -> ByteBuffer
}

extension PayloadEncoding {
    package init(flags: FrameFlags) { self = flags.contains(.jsonPayload) ? .json : .binary }
    package var frameFlags: FrameFlags { self == .json ? .jsonPayload : [] }
}
