import Metrics
import NIOConcurrencyHelpers

/// The master's instances in `/metrics`, updated from every snapshot it publishes:
/// `master_instances{service, state}` (processes by phase: starting, ready, draining, stopped,
/// crashed; an empty slot counts as stopped or crashed), and per service the processes started
/// because one died (`master_restarts_total`), to replace a live one by a chain reload or a
/// recycle (`master_replacements_total`), and of those the recycles (`master_recycles_total`).
final class MasterMetrics: Sendable {
    private struct Counters {
        let restarts: Counter
        let replacements: Counter
        let recycles: Counter
        var seen = Totals()
    }

    /// Sums over a service's slots; each only grows.
    private struct Totals {
        var restarts = 0
        var replacements = 0
        var recycles = 0
    }

    private struct State {
        var instances: [ServiceName: [InstancePhase: Gauge]] = [:]
        var counters: [ServiceName: Counters] = [:]
    }

    private static let phases: [InstancePhase] = [.starting, .ready, .draining, .stopped, .crashed]
    private let state = NIOLockedValueBox(State())
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func update(from snapshot: MasterSnapshot) {
        var phases: [ServiceName: [InstancePhase: Int]] = [:]
        var totals: [ServiceName: Totals] = [:]
        var countedSlots: Set<String> = []
        for entry in snapshot.instances {
            phases[entry.service, default: [:]][entry.state, default: 0] += 1
            // Every entry of a slot repeats the slot's counts.
            guard countedSlots.insert("\(entry.service)#\(entry.index)").inserted else { continue }
            totals[entry.service, default: Totals()].restarts += entry.restarts
            totals[entry.service, default: Totals()].replacements += entry.replacements
            totals[entry.service, default: Totals()].recycles += entry.recycles
        }
        state.withLockedValue { state in
            for (service, counts) in phases {
                let gauges = state.instances[service] ?? makeGauges(service)
                state.instances[service] = gauges
                for phase in Self.phases { gauges[phase]?.record(counts[phase] ?? 0) }
            }
            for (service, total) in totals {
                var counters = state.counters[service] ?? makeCounters(service)
                counters.restarts.increment(by: max(0, total.restarts - counters.seen.restarts))
                counters.replacements.increment(by: max(0, total.replacements - counters.seen.replacements))
                counters.recycles.increment(by: max(0, total.recycles - counters.seen.recycles))
                counters.seen = total
                state.counters[service] = counters
            }
        }
    }

    private func makeGauges(_ service: ServiceName) -> [InstancePhase: Gauge] {
        Dictionary(
            uniqueKeysWithValues: Self.phases.map { phase in
                (
                    phase,
                    Gauge(label: "master_instances", dimensions: [("service", "\(service)"), ("state", phase.rawValue)], factory: factory)
                )
            })
    }

    private func makeCounters(_ service: ServiceName) -> Counters {
        let dimensions = [("service", "\(service)")]
        return Counters(
            restarts: Counter(label: "master_restarts_total", dimensions: dimensions, factory: factory),
            replacements: Counter(label: "master_replacements_total", dimensions: dimensions, factory: factory),
            recycles: Counter(label: "master_recycles_total", dimensions: dimensions, factory: factory))
    }
}
