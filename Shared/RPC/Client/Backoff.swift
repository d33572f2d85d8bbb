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

/// A tiny, fast pseudo-random generator: good enough for jitter and balancing choices, and
/// unlike `SystemRandomNumberGenerator` it costs no system call.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
