import Foundation
import Logging
import ServiceKit

/// Owns the ``Supervisor`` inside the runtime loop and carries out its actions.
struct ActionPerformer {
    let runtime: MasterRuntime
    let sink: AsyncStream<SupervisorEvent>.Continuation
    var supervisor: Supervisor

    init(runtime: MasterRuntime, sink: AsyncStream<SupervisorEvent>.Continuation) {
        self.runtime = runtime
        self.sink = sink
        self.supervisor = Supervisor(plan: runtime.configuration.plan)
    }

    private var configuration: MasterConfiguration { runtime.configuration }

    /// Runs until the supervisor reports that everything stopped, or the stream ends.
    mutating func loop(events: AsyncStream<SupervisorEvent>, group: inout DiscardingTaskGroup) async {
        if apply(supervisor.start(at: .now()), group: &group) { return }
        for await event in events {
            if apply(supervisor.handle(event, at: .now()), group: &group) { return }
        }
    }

    /// Performs the actions, feeding immediate results (a spawn's pid) straight back so they
    /// are handled before any later event. Returns true once everything has stopped.
    private mutating func apply(_ initial: [SupervisorAction], group: inout DiscardingTaskGroup) -> Bool {
        var pending = initial
        var finished = false
        while !pending.isEmpty {
            let action = pending.removeFirst()
            if action == .finished { finished = true }
            for event in perform(action, group: &group) {
                pending += supervisor.handle(event, at: .now())
            }
        }
        runtime.board.publish(supervisor.snapshot())
        runtime.readiness.set("instances", ready: supervisor.isServing)
        return finished
    }

    private func perform(_ action: SupervisorAction, group: inout DiscardingTaskGroup) -> [SupervisorEvent] {
        let sink = self.sink
        let board = runtime.board
        switch action {
        case .spawn(let id, let ports):
            return spawn(id, ports: ports, group: &group)
        case .stop(let id, let pid):
            ChildProcess.signal(pid, SIGTERM)
            let timeout = configuration.stopTimeout
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled, board.isAlive(pid) { sink.yield(.stopTimedOut(id)) }
            }
        case .kill(_, let pid):
            ChildProcess.signal(pid, SIGKILL)
        case .restartAfter(let slot, let delay):
            group.addTask {
                try? await Task.sleep(for: delay)
                if !Task.isCancelled { sink.yield(.restartDue(slot)) }
            }
        case .handoverAfter(let id, let delay):
            group.addTask {
                try? await Task.sleep(for: delay)
                if !Task.isCancelled { sink.yield(.handoverDue(id)) }
            }
        case .measure(let id, let pid, let adminPort):
            let host = configuration.host
            let metric = configuration.topology.service(id.slot.service)?.requestMetric ?? ""
            group.addTask {
                let usage = await InstanceProbe.measure(pid: pid, host: host, adminPort: adminPort, requestMetric: metric)
                sink.yield(.measured(id, usage))
            }
        case .log(let entry):
            runtime.logger.log(level: entry.level.loggerLevel, "\(entry.message)", metadata: entry.metadata.mapValues { .string($0) })
        case .finished:
            break
        }
        return []
    }

    private func spawn(_ id: InstanceID, ports: InstancePorts, group: inout DiscardingTaskGroup) -> [SupervisorEvent] {
        let command = configuration.launchCommand(for: id, ports: ports, common: runtime.commonArguments)
        var environment = ProcessInfo.processInfo.environment.merging(command.environment) { $1 }
        // The instance stops itself once this master is gone, even after a SIGKILL.
        environment["SUPERVISOR_PID"] = "\(getpid())"
        let pid: Int32
        do {
            pid = try ChildProcess.spawn(executable: command.executable, arguments: command.arguments, environment: environment)
        } catch {
            return [.spawnFailed(id, reason: error.description)]
        }
        let board = runtime.board
        let registry = runtime.registry
        let sink = self.sink
        board.started(pid)
        registry.started(pid: pid, name: "\(id)")
        group.addTask {
            let status = await ChildProcess.exitStatus(of: pid)
            board.reaped(pid)
            registry.reaped(pid: pid)
            sink.yield(.exited(id, status))
        }
        let host = configuration.host
        let timeout = configuration.readyTimeout
        group.addTask {
            if let event = await InstanceProbe.waitUntilReady(
                id, pid: pid, host: host, adminPort: ports.admin, timeout: timeout, board: board)
            {
                sink.yield(event)
            }
        }
        return [.spawned(id, pid: pid)]
    }
}

extension LogEntry.Level {
    var loggerLevel: Logger.Level {
        switch self {
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
