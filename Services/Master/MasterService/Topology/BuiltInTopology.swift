/// The topology the master runs without `--topology`: the example application's data service
/// ×1, worker ×2 (calling data) and edge ×1 (calling the workers), each executable beside the
/// master's own. Kept so `master` alone, and every script and test that configures it with
/// `--worker-instances` and the like, still starts the whole system.
///
/// Its ports are apart from the services' own defaults (RPC 7101/7102, admin 9100-9102), so
/// the master's instances can run beside a service started by hand; only the edge's public
/// port is the same, since that is the one people type.
enum BuiltInTopology {
    static func topology(executableFolder: String) -> Topology {
        func executable(_ name: String) -> String { executableFolder + "/" + name }
        return Topology(services: [
            ServiceSpec(
                name: "data", executable: executable("data"), instances: 1,
                ports: ServicePorts(rpcBase: 7300, adminBase: 9300), requestMetric: "rpc_server_calls_total"),
            ServiceSpec(
                name: "worker", executable: executable("worker"), instances: 2,
                ports: ServicePorts(rpcBase: 7200, adminBase: 9200), peers: [PeerLink("data")],
                requestMetric: "rpc_server_calls_total"),
            ServiceSpec(
                name: "edge", executable: executable("edge"), instances: 1,
                ports: ServicePorts(adminBase: 9110, httpBase: 8080), peers: [PeerLink("worker")],
                requestMetric: "http_requests_total"),
        ])
    }
}
