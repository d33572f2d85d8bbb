public import RPC
import ServiceKit

/// One more app service behind the edge: requests whose path starts with `prefix` go to the
/// app servers at `target` (nginx's `location /prefix/ { proxy_pass … }`).
public struct EdgeUpstreamRoute: Sendable, Equatable, CustomStringConvertible {
    public var prefix: String
    public var target: RPCTarget

    public init(prefix: String, target: RPCTarget) {
        self.prefix = prefix
        self.target = target
    }

    public var description: String { "\(prefix)=\(target)" }
}

extension EdgeSettings {
    /// `--routes`: whitespace-separated `PREFIX=TARGET` pairs. `/api/` is always there and is
    /// `--worker-target`'s; every route is called with the `--worker-*` client settings.
    static func routes(from reader: inout ConfigReader) -> [EdgeUpstreamRoute] {
        let setting = Setting<[EdgeUpstreamRoute]>(
            "routes", env: "ROUTES", default: [],
            help: "More app services behind this edge, as PREFIX=TARGET pairs separated by spaces "
                + "(e.g. \"/shop/=dns://shop:7101 /blog/=unix:/run/blog.sock\"); /api/ goes to --worker-target.",
            placeholder: "<prefix=target …>", expected: "PREFIX=TARGET pairs such as /shop/=dns://shop:7101, separated by spaces",
            defaultDescription: "none"
        ) { text in
            var routes: [EdgeUpstreamRoute] = []
            for pair in text.split(whereSeparator: \.isWhitespace) {
                guard let equals = pair.firstIndex(of: "="),
                    let target = try? RPCTarget(parsing: String(pair[pair.index(after: equals)...]))
                else { return nil }
                routes.append(EdgeUpstreamRoute(prefix: String(pair[..<equals]), target: target))
            }
            return routes
        }
        let routes = reader.read(setting)
        var seen: Set<String> = [UpstreamRoutes.apiPrefix]
        for route in routes {
            if let problem = UpstreamRoutes.problem(with: route.prefix) {
                reader.reject(setting, because: problem)
            } else if !seen.insert(route.prefix).inserted {
                reader.reject(setting, because: "\(route.prefix) is routed twice (/api/ is --worker-target's)")
            }
        }
        return routes
    }
}
