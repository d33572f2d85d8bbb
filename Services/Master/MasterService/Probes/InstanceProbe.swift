/// The runtime's questions to a running instance.
enum InstanceProbe {
    static let readinessPollInterval: Duration = .milliseconds(100)

    /// Polls `/readyz` until it answers 200 (`.ready`), the timeout passes
    /// (`.readinessTimedOut`), or the process is gone (nil: its exit is reported anyway).
    static func waitUntilReady(
        _ id: InstanceID, pid: Int32, host: String, adminPort: Int, timeout: Duration, board: StateBoard
    ) async -> SupervisorEvent? {
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled, board.isAlive(pid) {
            if let answer = try? await AdminHTTP.get(host: host, port: adminPort, path: "/readyz"), answer.status == 200 {
                // Ready answered by whatever listens on the port: only believe it while our process lives.
                return board.isAlive(pid) ? .ready(id) : nil
            }
            guard ContinuousClock.now < deadline else { return .readinessTimedOut(id) }
            try? await Task.sleep(for: readinessPollInterval)
        }
        return nil
    }

    /// Requests served (the sum of `requestMetric` in `/metrics`) and resident memory.
    static func measure(pid: Int32, host: String, adminPort: Int, requestMetric: String) async -> Usage {
        var usage = Usage(residentBytes: ResidentMemory.bytes(of: pid))
        if !requestMetric.isEmpty,
            let answer = try? await AdminHTTP.get(host: host, port: adminPort, path: "/metrics"), answer.status == 200,
            let total = MetricsText.sum(of: requestMetric, in: answer.body)
        {
            usage.requests = Int(total)
        }
        return usage
    }
}
