import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The I/O around ``Supervisor``: one loop feeds it events and carries out its actions.
/// Everything asynchronous (exits, readiness, timers, measurements, signals) runs as a child
/// task that reports back through a single event stream, so the supervisor is only ever
/// touched by the loop.
struct MasterRuntime: Service, CustomStringConvertible {
    let configuration: MasterConfiguration
    /// Flags every child gets first (the master's log level and format).
    let commonArguments: [String]
    let board: StateBoard
    let registry: ChildRegistry
    let readiness: Readiness
    let logger: Logger

    var description: String { "MasterRuntime" }

    func run() async {
        let (events, sink) = AsyncStream.makeStream(of: SupervisorEvent.self)
        let board = self.board
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) {
                            sink.yield(.reloadRequested)
                        }
                    }
                    let interval = configuration.checkInterval
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            sink.yield(.tick)
                        }
                    }
                    if let watch = configuration.watch {
                        let watcher = SourceWatcher(
                            topology: configuration.topology, order: configuration.plan.order, settings: watch, logger: logger)
                        group.addTask {
                            await watcher.run { sink.yield(.rebuilt($0)) }
                        }
                    }
                    var actions = ActionPerformer(runtime: self, sink: sink)
                    await actions.loop(events: events, group: &group)
                    registry.remove()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                sink.yield(.shutdownRequested)
            }
        } onCancel: {
            // The drain timeout ran out: leave no orphans behind.
            board.killAll()
            sink.finish()
        }
    }
}
