/// Capped exponential backoff with full jitter: the n-th wait is uniform in
/// [0, min(cap, base · 2ⁿ)], so clients that lost the same server do not reconnect in step.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration
    private var attempt = 0
    private var random: SplitMix64

    public init(base: Duration, cap: Duration, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.base = base
        self.cap = cap
        self.random = SplitMix64(seed: seed)
    }

    public mutating func next() -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt, 30)))
        attempt += 1
        let fraction = Double(random.next() >> 11) / Double(1 << 53)
        return ceiling * fraction
    }

    public mutating func reset() { attempt = 0 }
}
