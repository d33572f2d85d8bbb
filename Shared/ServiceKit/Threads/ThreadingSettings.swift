import NIOCore
import NIOPosix

/// Where a service's async code runs.
public enum TaskExecutorChoice: String, Sendable, CaseIterable {
    /// On NIO's event loops, where the sockets are served: a request's work and its I/O stay
    /// on one thread instead of hopping between the event loop and Swift's cooperative pool.
    /// The services keep blocking work (password hashing, file reads) off the event loops.
    case eventLoops = "event-loops"
    /// On Swift's default cooperative thread pool.
    case cooperative
}

/// The threads a service runs on: NIO's event loops, and which executor runs its tasks.
public struct ThreadingSettings: Sendable, Equatable {
    /// Event-loop threads; 0 means one per core.
    public var eventLoopThreads: Int
    public var taskExecutor: TaskExecutorChoice

    public init(eventLoopThreads: Int = 0, taskExecutor: TaskExecutorChoice = .eventLoops) {
        self.eventLoopThreads = eventLoopThreads
        self.taskExecutor = taskExecutor
    }

    static func read(from reader: inout ConfigReader) -> ThreadingSettings {
        ThreadingSettings(
            eventLoopThreads: reader.read(
                .int(
                    "event-loop-threads", env: "EVENT_LOOP_THREADS", default: 0, range: 0...1024,
                    help: "NIO event-loop threads; 0 means one per core. Fewer suit several services sharing few cores.")),
            taskExecutor: reader.read(
                .choice(
                    "task-executor", env: "TASK_EXECUTOR", default: TaskExecutorChoice.eventLoops,
                    help: "Where async work runs: on the event loops (fewer thread hops) or Swift's cooperative pool."))
        )
    }

    /// Sizes NIO's shared event-loop group and installs the executor. Must run before anything
    /// uses the shared group or starts a task; returns false if the executor could not be
    /// installed because that already happened.
    func apply() -> Bool {
        if eventLoopThreads > 0 { NIOSingletons.groupLoopCountSuggestion = eventLoopThreads }
        guard taskExecutor == .eventLoops else { return true }
        return EventLoopGlobalExecutor.install()
    }
}
