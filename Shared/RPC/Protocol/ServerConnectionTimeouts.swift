public import NIOCore

/// The server's clocks on one connection, without I/O: a peer that never finishes the
/// handshake, a frame that starts and never completes, a connection with nothing going on.
///
/// The handler does not touch a timer per frame (that would tax every call); it counts frames
/// and finished calls, and a coarse periodic tick hands those counts over. Activity is dated
/// by the tick that first sees it, never earlier than it happened, so a limit can be overrun
/// by up to one tick but never cut short.
public struct ServerConnectionTimeouts: Sendable {
    public struct Limits: Sendable, Equatable {
        /// From accept until hello (and proof) are through.
        public var handshake: TimeAmount
        /// No call in flight and no frame (pings included) for this long.
        public var idle: TimeAmount
        /// From the first byte of a frame until its last.
        public var frame: TimeAmount

        public init(handshake: TimeAmount, idle: TimeAmount, frame: TimeAmount) {
            self.handshake = handshake
            self.idle = idle
            self.frame = frame
        }

        /// A quarter of the shortest limit, within 10 ms…1 s: overruns stay small against
        /// the limits, and an idle connection costs at most one wake-up a second.
        public var tickInterval: TimeAmount {
            let shortest = min(handshake, idle, frame).nanoseconds / 4
            return .nanoseconds(min(max(shortest, TimeAmount.milliseconds(10).nanoseconds), TimeAmount.seconds(1).nanoseconds))
        }
    }

    public enum Expiry: String, Sendable, Equatable, CaseIterable {
        case handshake, idle, frame
    }

    /// What the handler saw, as running totals, at the moment of a tick.
    public struct Observation: Sendable, Equatable {
        public var established: Bool
        public var framesDecoded: UInt64
        public var callsFinished: UInt64
        /// Bytes of an incomplete frame are buffered.
        public var partialFrame: Bool
        public var callsInFlight: Int

        public init(established: Bool, framesDecoded: UInt64, callsFinished: UInt64, partialFrame: Bool, callsInFlight: Int) {
            self.established = established
            self.framesDecoded = framesDecoded
            self.callsFinished = callsFinished
            self.partialFrame = partialFrame
            self.callsInFlight = callsInFlight
        }
    }

    public let limits: Limits
    private let openedAt: NIODeadline
    private var lastActivity: NIODeadline
    private var framesSeen: UInt64 = 0
    private var callsFinishedSeen: UInt64 = 0
    private var partialFrameSince: NIODeadline?

    public init(limits: Limits, openedAt: NIODeadline) {
        self.limits = limits
        self.openedAt = openedAt
        self.lastActivity = openedAt
    }

    /// Which limit the connection has overrun, if any; the caller closes it then.
    public mutating func tick(now: NIODeadline, _ observation: Observation) -> Expiry? {
        if !observation.established, now - openedAt >= limits.handshake { return .handshake }

        let framesArrived = observation.framesDecoded != framesSeen
        let callsEnded = observation.callsFinished != callsFinishedSeen
        framesSeen = observation.framesDecoded
        callsFinishedSeen = observation.callsFinished
        if framesArrived || callsEnded || observation.callsInFlight > 0 { lastActivity = now }

        if !observation.partialFrame {
            partialFrameSince = nil
        } else if framesArrived || partialFrameSince == nil {
            // A frame completed since the last tick, so the pending one began after it.
            partialFrameSince = now
        }
        if let since = partialFrameSince, now - since >= limits.frame { return .frame }

        if observation.established, observation.callsInFlight == 0, now - lastActivity >= limits.idle { return .idle }
        return nil
    }
}
