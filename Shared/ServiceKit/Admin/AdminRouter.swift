public import Hummingbird
public import Prometheus

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The admin HTTP endpoints every service exposes.
public enum AdminServer {
    /// `GET /healthz`: 200 while the process can answer at all (liveness).
    /// `GET /readyz`: 200 when ``Readiness`` says ready, else 503; the JSON body lists why.
    /// `GET /metrics`: the registry in Prometheus text exposition format.
    ///
    /// Separate from the listener so it can be exercised with HummingbirdTesting.
    /// Plus whatever the service registered in `extraRoutes`.
    public static func makeRouter(
        readiness: Readiness,
        registry: PrometheusCollectorRegistry,
        extraRoutes: AdminRoutes = AdminRoutes()
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("healthz") { _, _ in
            response(.ok, contentType: "application/json", body: Array(#"{"status":"ok"}"#.utf8))
        }
        router.get("readyz") { _, _ in
            let snapshot = readiness.snapshot()
            return response(
                snapshot.isReady ? .ok : .serviceUnavailable,
                contentType: "application/json",
                body: ReadinessBody(snapshot).encoded()
            )
        }
        router.get("metrics") { _, _ in
            response(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        }
        for (path, handler) in extraRoutes.all {
            router.get(RouterPath(path)) { _, _ in
                let reply = handler()
                return response(.ok, contentType: reply.contentType, body: reply.body)
            }
        }
        return router
    }

    private static func response(_ status: HTTPResponse.Status, contentType: String, body: [UInt8]) -> Response {
        // Probe and scrape answers describe this instant; a cached one would be a lie.
        let headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `{"ready":false,"started":true,"draining":false,"conditions":{"database":false}}`
private struct ReadinessBody: Encodable {
    let ready: Bool
    let started: Bool
    let draining: Bool
    let conditions: [String: Bool]

    init(_ snapshot: Readiness.Snapshot) {
        ready = snapshot.isReady
        started = snapshot.started
        draining = snapshot.draining
        conditions = snapshot.conditions
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding Bools and Strings cannot fail; the fallback only keeps the endpoint total.
        return (try? Array(encoder.encode(self))) ?? Array(#"{"ready":false}"#.utf8)
    }
}
