/// How many requests may be in flight to the service behind, moved by the latency they see.
///
/// A gradient controller like Envoy's adaptive concurrency filter and Netflix's
/// concurrency-limits: at the end of every sample window the limit is multiplied by
/// `target / median latency` of the window (at most doubled, at most halved) plus a headroom of
/// its square root. Below the target it grows, above it shrinks. By Little's law a limit of L at
/// a throughput X keeps the latency near L / X, so the limit settles where the service is as busy
/// as it can be while its median latency stays at the target: past that point, more requests in
/// flight add only waiting.
///
/// Unlike Envoy's controller the target is a latency objective, not a multiple of a measured
/// no-load latency: a service that batches (as the data service does) gets *faster per request*
/// with more in flight, and a limit held near its no-load latency would cap it at a fraction of
/// its throughput (measured: 2 460 req/s at 4 in flight, 8 100 at 128).
///
/// Time is passed in as nanoseconds of a monotonic clock, so the arithmetic is tested without
/// one. Not thread-safe: ``ConcurrencyLimiter`` holds it under a lock.
public struct AdaptiveConcurrencyLimit: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The limit before the first window; also where a fixed limit stays.
        public var initialLimit: Int
        public var minimumLimit: Int
        public var maximumLimit: Int
        /// The median latency the limit steers to, in nanoseconds.
        public var targetLatency: UInt64
        /// How often the limit moves, in nanoseconds.
        public var sampleWindow: UInt64
        /// Windows with fewer samples carry over into the next; a handful of requests say
        /// nothing about a median.
        public var minimumSamples: Int

        public init(
            initialLimit: Int = 64, minimumLimit: Int = 8, maximumLimit: Int = 1_000,
            targetLatency: Duration = .milliseconds(20), sampleWindow: Duration = .milliseconds(100), minimumSamples: Int = 16
        ) {
            self.minimumLimit = max(1, minimumLimit)
            self.maximumLimit = max(self.minimumLimit, maximumLimit)
            self.initialLimit = min(max(initialLimit, self.minimumLimit), self.maximumLimit)
            self.targetLatency = Self.nanoseconds(targetLatency)
            self.sampleWindow = Self.nanoseconds(sampleWindow)
            self.minimumSamples = max(1, minimumSamples)
        }

        /// A limit that never moves.
        public static func fixed(_ limit: Int) -> Configuration {
            Configuration(initialLimit: limit, minimumLimit: limit, maximumLimit: limit)
        }

        public var isFixed: Bool { minimumLimit == maximumLimit }

        static func nanoseconds(_ duration: Duration) -> UInt64 {
            let (seconds, attoseconds) = duration.components
            guard seconds >= 0 else { return 0 }
            let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
            return overflow ? .max : whole &+ UInt64(attoseconds / 1_000_000_000)
        }
    }

    /// What a request that was let in holds until it is done.
    public struct Permit: Sendable, Equatable {
        /// When it was let in, nanoseconds.
        public let start: UInt64
    }

    public let configuration: Configuration
    public private(set) var limit: Int
    public private(set) var inFlight = 0
    /// The median latency of the last window that moved the limit, nanoseconds; 0 before one.
    public private(set) var lastMedian: UInt64 = 0
    /// The most requests in flight during the current window: a limit that is not reached
    /// says nothing about whether a larger one would help, so it does not grow.
    private var peakInFlight = 0
    private var windowEnd: UInt64
    /// The latest samples of the window; at most `sampleCapacity`, the oldest overwritten.
    private var samples: [UInt64] = []
    private var nextSample = 0
    static let sampleCapacity = 256

    public init(configuration: Configuration, now: UInt64) {
        self.configuration = configuration
        self.limit = configuration.initialLimit
        self.windowEnd = now &+ configuration.sampleWindow
    }

    /// Lets a request in if fewer than the limit are in flight.
    public mutating func tryAcquire(now: UInt64) -> Permit? {
        guard inFlight < limit else { return nil }
        inFlight += 1
        peakInFlight = max(peakInFlight, inFlight)
        return Permit(start: now)
    }

    /// Ends a request ``tryAcquire(now:)`` let in. `measured` is false for one whose time says
    /// nothing about the service's load: refused by it at once, or given up by the client.
    public mutating func release(_ permit: Permit, now: UInt64, measured: Bool) {
        inFlight -= 1
        guard !configuration.isFixed else { return }
        // The window closes before this sample, which belongs to the next one.
        if now >= windowEnd, samples.count >= configuration.minimumSamples {
            adapt()
            windowEnd = now &+ configuration.sampleWindow
        }
        if measured { record(now >= permit.start ? now - permit.start : 0) }
    }

    private mutating func record(_ latency: UInt64) {
        if samples.count < Self.sampleCapacity {
            samples.append(latency)
        } else {
            samples[nextSample] = latency
            nextSample = (nextSample + 1) % Self.sampleCapacity
        }
    }

    private mutating func adapt() {
        samples.sort()
        let median = max(1, samples[samples.count / 2])
        lastMedian = median
        let gradient = min(2.0, max(0.5, Double(configuration.targetLatency) / Double(median)))
        var next = Double(limit) * gradient
        next += next.squareRoot()
        if Double(peakInFlight) < Double(limit) / 2 { next = min(next, Double(limit)) }
        limit = Int(min(Double(configuration.maximumLimit), max(Double(configuration.minimumLimit), next.rounded(.down))))
        samples.removeAll(keepingCapacity: true)
        nextSample = 0
        peakInFlight = inFlight
    }
}
