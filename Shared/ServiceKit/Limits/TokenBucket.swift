/// One client's allowance: refills at `rate` tokens per second up to `capacity`; each request
/// takes one. Time is passed in, so the arithmetic is tested without a clock.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let capacity: Double
    private(set) var tokens: Double
    private(set) var updated: Double

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Whole seconds until a token is available, at least 1 (`Retry-After` has no fractions).
        case limited(retryAfter: Int)
    }

    /// A new bucket starts full: a client's first burst is always allowed.
    public init(rate: Double, capacity: Double, now: Double) {
        self.rate = rate
        self.capacity = max(1, capacity)
        self.tokens = self.capacity
        self.updated = now
    }

    public mutating func take(now: Double) -> Decision {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        let wait = (1 - tokens) / rate
        return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
    }

    /// True once the bucket has refilled completely; such a bucket is indistinguishable from a
    /// new one and can be forgotten.
    public func isFull(now: Double) -> Bool {
        tokens + (now - updated) * rate >= capacity
    }

    private mutating func refill(now: Double) {
        if now > updated {
            tokens = min(capacity, tokens + (now - updated) * rate)
            updated = now
        }
    }
}
