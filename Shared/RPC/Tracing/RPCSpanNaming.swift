import Tracing

/// Names and attributes of RPC spans, after OpenTelemetry's RPC conventions: the span is
/// `service/method`, e.g. `users/get` for the wire name `users.get`.
enum RPCSpanNaming {
    /// `rpc.system`: what the call travels over.
    static let system = "kit-rpc"

    static func spanName(wireName: String) -> String {
        let (service, method) = split(wireName)
        return service.isEmpty ? method : "\(service)/\(method)"
    }

    static func setCallAttributes(_ attributes: inout SpanAttributes, wireName: String) {
        let (service, method) = split(wireName)
        attributes["rpc.system"] = system
        attributes["rpc.service"] = service
        attributes["rpc.method"] = method
    }

    /// Service before the last dot, method after it; a version suffix (`@v2`) stays on the method.
    private static func split(_ wireName: String) -> (service: String, method: String) {
        guard let dot = wireName.lastIndex(of: ".") else { return ("", wireName) }
        return (String(wireName[..<dot]), String(wireName[wireName.index(after: dot)...]))
    }
}
