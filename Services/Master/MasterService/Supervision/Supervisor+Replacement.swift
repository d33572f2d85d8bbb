// Recycling, chain reload and the handover from an instance to its replacement.

extension Supervisor {
    mutating func reloadRequested() {
        switch phase {
        case .stopping, .finished:
            log(.warning, "chain reload ignored: shutting down")
            return
        case .idle, .starting, .running:
            break
        }
        let targets = plan.sorted(slots.keys.filter { plan.reloadServices.contains($0.service) })
        let added = targets.filter { queue.enqueue($0, reason: .reload) }
        log(
            .info, "chain reload requested",
            [
                "instances": "\(added.count)",
                "already-queued": "\(targets.count - added.count)",
            ])
        startNextReplacement()
    }

    mutating func rebuilt(_ service: ServiceName) {
        switch phase {
        case .stopping, .finished:
            return
        case .idle, .starting, .running:
            break
        }
        // A replacement already running may have started the old executable: queue it again.
        let added = slotIDs(of: service).filter { queue.enqueue($0, reason: .reload, evenIfRunning: true) }
        log(.info, "rebuilt, replacing its instances", ["service": "\(service)", "instances": "\(added.count)"])
        startNextReplacement()
    }

    mutating func measured(_ id: InstanceID, usage: Usage) {
        guard phase == .running, var slot = slots[id.slot], slot.current?.id == id, slot.isReady,
            slot.replacing == nil, !queue.contains(id.slot),
            let policy = plan.services[id.slot.service]?.recycle,
            let reason = policy.reason(for: usage)
        else { return }
        slot.lastReplacementReason = reason
        slots[id.slot] = slot
        queue.enqueue(id.slot, reason: reason)
        log(.info, "recycling instance", ["instance": id.slot.description, "reason": "\(reason)"])
        startNextReplacement()
    }

    /// Periodic work: ask for measurements of instances that may need recycling, and
    /// report slots that have been healthy long enough to leave a crash loop.
    mutating func tick() {
        for slotID in plan.sorted(slots.keys) {
            guard var slot = slots[slotID], let current = slot.current, current.phase == .ready,
                let readySince = current.readySince
            else { continue }
            if slot.crashes.noteHealthy(at: now.instant, readySince: readySince, policy: plan.restart) {
                log(.info, "crash loop over", metadata(current))
            }
            slots[slotID] = slot
            guard phase == .running, slot.replacing == nil, !queue.contains(slotID),
                plan.services[slotID.service]?.recycle.isEnabled == true, let pid = current.pid
            else { continue }
            let port = plan.ports(of: current.id, alternative: current.alternative).admin
            actions.append(.measure(current.id, pid: pid, adminPort: port))
        }
    }

    /// Starts the next queued replacement when none runs. Slots that cannot be replaced now
    /// (nothing ready to replace) are skipped: their restart starts the new binary anyway.
    mutating func startNextReplacement() {
        guard phase == .running else { return }
        while let entry = queue.startNext() {
            guard var slot = slots[entry.slot], slot.isReady, let current = slot.current else {
                log(.warning, "replacement skipped: no ready instance", ["instance": entry.slot.description])
                queue.finish(entry.slot)
                continue
            }
            slot.replacing = entry.reason
            slot.replacements += 1
            if entry.reason.isRecycle {
                slot.lastReplacementReason = entry.reason
                slot.recycles += 1
            }
            slots[entry.slot] = slot
            log(.info, "replacing instance", metadata(current, ["reason": "\(entry.reason)"]))
            if plan.canOverlap(entry.slot.service) {
                spawn(in: entry.slot, as: .successor, alternative: 1 - slot.alternative)
            } else {
                retire(current.id, because: "\(entry.reason), replaced in place")
            }
            return
        }
    }

    /// The successor takes the slot; its predecessor drains and stops.
    mutating func handOver(to id: InstanceID) {
        guard var slot = slots[id.slot], let successor = slot.successor, successor.id == id,
            successor.phase == .ready, !slot.isStopping
        else { return }
        let previous = slot.current
        if let previous {
            retire(previous.id, because: "replaced by generation \(id.generation)")
            slot = slots[id.slot] ?? slot
        }
        slot.successor = nil
        slot.current = successor
        slot.alternative = successor.alternative
        slots[id.slot] = slot
        // With no predecessor to wait for, the replacement is complete now; otherwise it
        // completes when the predecessor has exited.
        if previous == nil { finishReplacement(id.slot) }
        advanceStartupIfReady()
    }

    mutating func finishReplacement(_ slotID: SlotID) {
        guard var slot = slots[slotID], let reason = slot.replacing else { return }
        slot.replacing = nil
        slots[slotID] = slot
        queue.finish(slotID)
        log(.info, "instance replaced", ["instance": slotID.description, "reason": "\(reason)"])
        let reloadWasRunning = reason == .reload
        startNextReplacement()
        if reloadWasRunning, !queue.hasReloadWork {
            log(.info, "chain reload finished")
        }
    }

    mutating func abandonReplacement(_ slotID: SlotID) {
        guard var slot = slots[slotID], slot.replacing != nil else { return }
        slot.replacing = nil
        if let successor = slot.successor, successor.phase != .draining {
            slots[slotID] = slot
            retire(successor.id, because: "replacement abandoned")
            slot = slots[slotID] ?? slot
        }
        slots[slotID] = slot
        queue.finish(slotID)
        startNextReplacement()
    }
}
