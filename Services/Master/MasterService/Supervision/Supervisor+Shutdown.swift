// Ordered shutdown, in reverse start order: a service stops only after every service that calls it.

extension Supervisor {
    mutating func shutdownRequested() {
        switch phase {
        case .stopping, .finished:
            return
        case .idle, .starting, .running:
            break
        }
        queue.removeAll()
        log(.info, "stopping all instances")
        guard let last = tiers.last else {
            finish()
            return
        }
        stopTier(last)
    }

    private mutating func stopTier(_ service: ServiceName) {
        phase = .stopping(service)
        log(.info, "stopping \(service) instances")
        for slotID in slotIDs(of: service) {
            guard var slot = slots[slotID] else { continue }
            slot.isStopping = true
            slot.restartPending = false
            slot.replacing = nil
            slots[slotID] = slot
            for id in [slot.successor?.id, slot.current?.id].compactMap({ $0 }) {
                retire(id, because: "shutdown")
            }
        }
        advanceShutdownIfDone()
    }

    /// Stops the next service once every instance of the one stopping has exited.
    mutating func advanceShutdownIfDone() {
        guard case .stopping(let service) = phase,
            slotIDs(of: service).allSatisfy({ !(slots[$0]?.hasLiveInstances ?? false) })
        else { return }
        log(.info, "\(service) instances stopped")
        if let index = tiers.firstIndex(of: service), index > 0 {
            stopTier(tiers[index - 1])
        } else {
            finish()
        }
    }

    private mutating func finish() {
        phase = .finished
        log(.info, "all instances stopped")
        actions.append(.finished)
    }
}
