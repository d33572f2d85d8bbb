import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Stops the process gracefully once the supervisor that started it is gone, so that no
/// instance outlives a master killed with SIGKILL and keeps its ports.
///
/// The supervisor passes its pid (`--supervisor-pid`/`SUPERVISOR_PID`); when our parent is no
/// longer that process (we were reparented), the process sends itself SIGTERM and drains as on
/// any other stop. Linux's `PR_SET_PDEATHSIG` is not used: it fires when the *thread* that
/// spawned the child exits, and a supervisor spawning from Swift's thread pool has no control
/// over which thread that is, or how long it lives.
struct SupervisorWatch: Service, CustomStringConvertible {
    let supervisorPID: Int32
    let interval: Duration
    let logger: Logger

    var description: String { "SupervisorWatch" }

    static func isSupervisorAlive(_ pid: Int32) -> Bool {
        getppid() == pid
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard Self.isSupervisorAlive(supervisorPID) else {
                    logger.warning(
                        "the supervisor that started this process is gone; stopping",
                        metadata: ["supervisor-pid": "\(supervisorPID)", "parent-pid": "\(getppid())"])
                    kill(getpid(), SIGTERM)
                    return
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
