import Synchronization

/// Bounds retries to a fraction of calls (plus a small reserve), so a failing backend sees at
/// most `1 + ratio` times its normal load instead of a retry storm. Each call deposits
/// `ratio` of a token; each retry withdraws one whole token.
public final class RetryBudget: Sendable {
    private static let scale = 1000
    private let balance: Atomic<Int>
    private let depositPerCall: Int
    private let maximum: Int

    /// - Parameters:
    ///   - ratio: retries allowed per call in steady state (0.2 = one retry per five calls).
    ///   - reserve: retries allowed before any call has deposited, and the most that can be saved.
    public init(ratio: Double = 0.2, reserve: Int = 10) {
        depositPerCall = Int(ratio * Double(Self.scale))
        maximum = reserve * Self.scale
        balance = Atomic(reserve * Self.scale)
    }

    public func recordCall() {
        var current = balance.load(ordering: .relaxed)
        while current < maximum {
            let next = min(maximum, current + depositPerCall)
            let (exchanged, original) = balance.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    public func tryWithdraw() -> Bool {
        var current = balance.load(ordering: .relaxed)
        while current >= Self.scale {
            let (exchanged, original) = balance.compareExchange(expected: current, desired: current - Self.scale, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }
}
