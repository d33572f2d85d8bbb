import CConcurrencyHook
import NIOCore
import NIOPosix

/// Runs Swift concurrency's global jobs on NIO's shared event loops, as SwiftNIO's
/// `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`
/// does, with two differences:
///
/// - The runtime's hook is resolved by the linker rather than by `dlsym`. SwiftNIO's lookup
///   finds nothing in a binary linked with `--static-swift-stdlib`, so the container images
///   silently ran on the cooperative pool while every measurement used dynamically linked
///   binaries on the event loops.
/// - A job runs with the *generic* executor as the current one, as on Swift's own global
///   executor. SwiftNIO runs it with the event loop as a serial executor, so each time the task
///   returns to nonisolated code (entering or resuming any nonisolated async function, which
///   runs on the generic executor) the runtime sees a different executor and enqueues the task
///   on the loop again: measured with uprobes on the load test's GET one, 27 enqueues per
///   request in the edge, 62 in the workers and 43 in data, most of them such hops. On the
///   generic executor those hops are plain calls.
package enum EventLoopGlobalExecutor {
    /// The runtime's hook type (swift/Runtime/Concurrency.h): the job, and the original enqueue.
    package typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Must run before any task starts. Returns false if another hook is already installed, in
    /// which case jobs stay on the cooperative pool.
    package static func install() -> Bool {
        install { job, _ in EventLoopGlobalExecutor.enqueue(job) }
    }

    /// Installs `hook` as the global executor (a test's, to count the jobs it sees).
    package static func install(_ hook: EnqueueGlobalHook) -> Bool {
        withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { slot in
            guard let pointer = slot.baseAddress else { return false }
            slot.initialize(repeating: hook)
            return pointer.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) {
                servicekit_install_enqueue_global_hook($0.pointee)
            }
        }
    }

    /// `any()` is sticky: on one of the group's threads it returns that thread's loop, so a
    /// task resumed by I/O keeps running where the I/O happened. The closure costs an allocation
    /// per job (NIO's own job path would run it as the loop's serial executor), which is cheap
    /// beside the hops it saves: 2–3 jobs per request per process now, 27–62 before.
    package static func enqueue(_ job: UnownedJob) {
        MultiThreadedEventLoopGroup.singleton.any().execute {
            servicekit_run_job_on_generic_executor(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        }
    }
}
