// Starting, readiness, exits and crash restarts.

extension Supervisor {
    mutating func startTier(_ service: ServiceName) {
        phase = .starting(service)
        log(.info, "starting \(service) instances", ["count": "\(plan.instances(of: service))"])
        for slot in slotIDs(of: service) {
            spawn(in: slot, as: .current, alternative: 0)
        }
    }

    /// Moves on to the next service once every slot of the one starting is ready.
    mutating func advanceStartupIfReady() {
        guard case .starting(let service) = phase,
            slotIDs(of: service).allSatisfy({ slots[$0]?.isReady ?? true })
        else { return }
        if let index = tiers.firstIndex(of: service), index + 1 < tiers.count {
            startTier(tiers[index + 1])
        } else {
            phase = .running
            log(.info, "all instances ready")
            startNextReplacement()
        }
    }

    mutating func spawned(_ id: InstanceID, pid: Int32) {
        guard var slot = slots[id.slot], slot.role(of: id) != nil else { return }
        slot.update(id) { instance in
            instance.pid = pid
            instance.startedAt = now.date
        }
        slots[id.slot] = slot
        guard let instance = slot.instance(id) else { return }
        let ports = plan.ports(of: id, alternative: instance.alternative)
        var fields = metadata(instance, ["admin-port": "\(ports.admin)"])
        if let rpc = ports.rpc { fields["rpc-port"] = "\(rpc)" }
        if let http = ports.http { fields["http-port"] = "\(http)" }
        log(.info, "instance starting", fields)
        // Retired before its pid was known (a shutdown raced the spawn): stop it now.
        if slot.role(of: id) == .retiring { actions.append(.stop(id, pid: pid)) }
    }

    mutating func becameReady(_ id: InstanceID) {
        guard var slot = slots[id.slot], let role = slot.role(of: id), role != .retiring,
            slot.instance(id)?.phase == .starting
        else { return }
        slot.update(id) { instance in
            instance.phase = .ready
            instance.readySince = now.instant
        }
        slots[id.slot] = slot
        if let instance = slot.instance(id) {
            log(.info, role == .successor ? "replacement ready" : "instance ready", metadata(instance))
        }
        switch role {
        case .successor:
            if slot.current == nil {
                handOver(to: id)
            } else if plan.handoverDelay > .zero {
                actions.append(.handoverAfter(id, plan.handoverDelay))
            } else {
                handOver(to: id)
            }
        case .current:
            // An in-place replacement (no overlap possible) is done once the new instance serves.
            if slot.replacing != nil, !plan.canOverlap(slot.id.service) {
                finishReplacement(slot.id)
            }
            advanceStartupIfReady()
        case .retiring:
            break
        }
    }

    mutating func readinessTimedOut(_ id: InstanceID) {
        guard let slot = slots[id.slot], let instance = slot.instance(id), instance.phase == .starting,
            slot.role(of: id) != .retiring, let pid = instance.pid
        else { return }
        // It never served, so there is nothing to drain; its exit is then handled as a crash.
        log(.error, "instance not ready in time, killing it", metadata(instance))
        actions.append(.kill(id, pid: pid))
    }

    mutating func stopTimedOut(_ id: InstanceID) {
        guard let slot = slots[id.slot], slot.role(of: id) == .retiring,
            let instance = slot.instance(id), let pid = instance.pid
        else { return }
        log(.warning, "instance did not stop in time, killing it", metadata(instance))
        actions.append(.kill(id, pid: pid))
    }

    /// A process ended or never started.
    mutating func ended(_ id: InstanceID, status: ExitStatus) {
        guard var slot = slots[id.slot], let (instance, role) = slot.remove(id) else { return }
        let expected = role == .retiring
        slot.lastExit = ExitRecord(generation: id.generation, status: status, at: now.date, unexpected: !expected)
        slots[id.slot] = slot
        if expected {
            log(status.isCleanExit ? .info : .warning, "instance stopped", metadata(instance, ["status": "\(status)"]))
            retiredInstanceGone(in: id.slot)
        } else {
            crashed(instance, role: role, status: status)
        }
        advanceShutdownIfDone()
    }

    private mutating func retiredInstanceGone(in slotID: SlotID) {
        guard let slot = slots[slotID], !slot.isStopping, slot.replacing != nil, slot.retiring.isEmpty else { return }
        if plan.canOverlap(slotID.service) {
            // The successor took over before the old one was told to stop; now it is gone.
            if slot.successor == nil { finishReplacement(slotID) }
        } else if slot.current == nil {
            // In place: the port is free, start the new instance on it.
            spawn(in: slotID, as: .current, alternative: slot.alternative)
        }
    }

    private mutating func crashed(_ instance: Instance, role: Slot.Role, status: ExitStatus) {
        guard var slot = slots[instance.id.slot] else { return }
        let decision = slot.crashes.recordExit(at: now.instant, readySince: instance.readySince, policy: plan.restart)
        let what = role == .successor ? "replacement exited unexpectedly" : "instance exited unexpectedly"
        if decision.startedLooping {
            log(
                .error, "crash loop: restarts slowed down",
                metadata(
                    instance,
                    [
                        "exits": "\(plan.restart.crashLoopExits)",
                        "window": "\(plan.restart.crashLoopWindow)",
                        "restart-every": "\(plan.restart.backoffCap)",
                    ]))
        }
        slots[slot.id] = slot
        if slot.isStopping { return }

        if decision.isLooping, let reason = slot.replacing {
            // A replacement that keeps dying (a broken new binary, say) is given up; whatever
            // still serves keeps serving and the slot's own restarts continue.
            log(.error, "replacement abandoned: crash loop", ["instance": slot.id.description, "reason": "\(reason)"])
            abandonReplacement(slot.id)
            guard let updated = slots[slot.id] else { return }
            slot = updated
        }
        if role == .current, slot.successor != nil {
            log(.error, what, metadata(instance, ["status": "\(status)", "next": "its replacement takes over"]))
            return
        }
        if slot.current != nil, role == .successor, slot.replacing == nil {
            log(.error, what, metadata(instance, ["status": "\(status)"]))
            return
        }
        slot.restartPending = true
        slots[slot.id] = slot
        log(
            .error, what,
            metadata(
                instance,
                [
                    "status": "\(status)", "restart-in": "\(decision.delay)", "crash-loop": "\(decision.isLooping)",
                ]))
        actions.append(.restartAfter(slot.id, decision.delay))
    }

    mutating func restartDue(_ slotID: SlotID) {
        guard var slot = slots[slotID], slot.restartPending, !slot.isStopping else { return }
        slot.restartPending = false
        slots[slotID] = slot
        if slot.replacing != nil, plan.canOverlap(slotID.service), slot.current != nil, slot.successor == nil {
            spawn(in: slotID, as: .successor, alternative: 1 - slot.alternative)
        } else if slot.current == nil, slot.successor == nil {
            slot.restarts += 1
            slots[slotID] = slot
            // Both the old instance and its replacement died: the restart is a new process
            // anyway, which is all the replacement was for.
            if slot.replacing != nil, plan.canOverlap(slotID.service) { finishReplacement(slotID) }
            spawn(in: slotID, as: .current, alternative: slot.alternative)
        }
    }
}
