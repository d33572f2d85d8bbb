import NIOCore

/// The one timer of a connection: header, body or keep-alive deadline, whichever applies now.
///
/// Re-arming only moves a deadline; the scheduled task is replaced only when the new deadline
/// is earlier. When the task fires early it schedules itself for the remaining time. A
/// keep-alive connection thus costs about one scheduled task per timeout period, not two per
/// request.
final class ConnectionTimer {
    enum Purpose: Sendable, Equatable {
        /// The whole request (see ``RequestDeadlines``).
        case header, body, request, keepalive
    }

    private let eventLoop: any EventLoop
    private let onExpiry: (Purpose) -> Void
    private var deadline: NIODeadline?
    private var purpose = Purpose.header
    private var scheduled: Scheduled<Void>?
    private var scheduledFor: NIODeadline?

    /// - Parameter onExpiry: Called on the event loop when an armed deadline passes.
    init(eventLoop: any EventLoop, onExpiry: @escaping (Purpose) -> Void) {
        self.eventLoop = eventLoop
        self.onExpiry = onExpiry
    }

    var armedPurpose: Purpose? { deadline == nil ? nil : purpose }
    var armedDeadline: NIODeadline? { deadline }

    func arm(_ purpose: Purpose, in timeout: Duration) {
        arm(purpose, at: .now() + TimeAmount(timeout))
    }

    func arm(_ purpose: Purpose, at deadline: NIODeadline) {
        self.deadline = deadline
        self.purpose = purpose
        if let scheduledFor, scheduledFor <= deadline { return }
        schedule(at: deadline)
    }

    /// Stops the deadline; a task already scheduled stays and finds nothing to do.
    func disarm() {
        deadline = nil
    }

    /// Cancels everything; called when the connection closes.
    func cancel() {
        deadline = nil
        scheduled?.cancel()
        scheduled = nil
        scheduledFor = nil
    }

    private func schedule(at deadline: NIODeadline) {
        scheduled?.cancel()
        scheduledFor = deadline
        scheduled = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fire()
        }
    }

    private func fire() {
        scheduled = nil
        scheduledFor = nil
        guard let deadline else { return }
        if deadline > .now() {
            schedule(at: deadline)
        } else {
            self.deadline = nil
            onExpiry(purpose)
        }
    }
}
