import CConcurrencyHook
import NIOCore
import NIOPosix

/// Runs Swift concurrency's global jobs on NIO's shared event loops, as SwiftNIO's
/// `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`
/// does, but with the runtime's hook resolved by the linker rather than by `dlsym`. SwiftNIO's
/// lookup finds nothing in a binary linked with `--static-swift-stdlib`, so the container
/// images silently ran on the cooperative pool while every measurement used dynamically linked
/// binaries on the event loops. This works the same way in both kinds of binary.
enum EventLoopGlobalExecutor {
    /// The runtime's hook type (swift/Runtime/Concurrency.h): the job, and the original enqueue.
    private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    private struct Loop: Sendable {
        let id: ObjectIdentifier
        let executor: any SerialExecutor
    }

    /// Each loop of the shared group with its `SerialExecutor` conformance looked up once:
    /// enqueueing through it takes the event loop's own job queue, which allocates nothing.
    private static let loops: [Loop] = MultiThreadedEventLoopGroup.singleton.makeIterator().compactMap { loop in
        (loop as? any SerialExecutor).map { Loop(id: ObjectIdentifier(loop), executor: $0) }
    }

    /// Must run before any task starts. Returns false if another hook is already installed (or
    /// the event loops cannot run jobs), in which case jobs stay on the cooperative pool.
    static func install() -> Bool {
        guard !loops.isEmpty else { return false }
        return withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { slot in
            guard let hook = slot.baseAddress else { return false }
            hook.initialize(to: { job, _ in EventLoopGlobalExecutor.enqueue(job) })
            return hook.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) {
                servicekit_install_enqueue_global_hook($0.pointee)
            }
        }
    }

    /// `any()` is sticky: on one of the group's threads it returns that thread's loop, so a
    /// task resumed by I/O keeps running where the I/O happened.
    private static func enqueue(_ job: UnownedJob) {
        let target = ObjectIdentifier(MultiThreadedEventLoopGroup.singleton.any())
        let loops = Self.loops
        let loop = loops.first { $0.id == target } ?? loops[0]
        loop.executor.enqueue(ExecutorJob(job))
    }
}
