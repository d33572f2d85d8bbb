import Foundation
import NIOConcurrencyHelpers

/// What the runtime shares with other tasks: the latest snapshot for `GET /instances` (and
/// the metrics made from it, see ``MasterMetrics``), and the pids still alive, so a cancelled master can kill its children instead of orphaning them.
final class StateBoard: Sendable {
    private struct State {
        var snapshot = MasterSnapshot.empty
        var live: Set<Int32> = []
    }

    private let state = NIOLockedValueBox(State())
    private let metrics: MasterMetrics

    init(metrics: MasterMetrics = MasterMetrics()) {
        self.metrics = metrics
    }

    func publish(_ snapshot: MasterSnapshot) {
        state.withLockedValue { $0.snapshot = snapshot }
        metrics.update(from: snapshot)
    }

    var snapshot: MasterSnapshot {
        state.withLockedValue { $0.snapshot }
    }

    func started(_ pid: Int32) {
        state.withLockedValue { _ = $0.live.insert(pid) }
    }

    /// Called once the pid is reaped; from then on it may belong to another process.
    func reaped(_ pid: Int32) {
        state.withLockedValue { _ = $0.live.remove(pid) }
    }

    func isAlive(_ pid: Int32) -> Bool {
        state.withLockedValue { $0.live.contains(pid) }
    }

    /// SIGKILLs every child not yet reaped. Holding the lock while signalling guarantees no
    /// pid is reaped (and possibly reused) between the check and the signal.
    func killAll() {
        state.withLockedValue { state in
            for pid in state.live { ChildProcess.signal(pid, SIGKILL) }
        }
    }
}
