/// How many requests a service lets through to what is behind it: `adaptive` (the limit
/// follows the latency), a fixed number, or `off`.
public enum ConcurrencyLimitMode: Sendable, Equatable, CustomStringConvertible {
    case adaptive
    case fixed(Int)
    case off

    public init?(parsing text: String) {
        switch text.lowercased() {
        case "adaptive": self = .adaptive
        case "off": self = .off
        default:
            guard let limit = Int(text), limit >= 1 else { return nil }
            self = .fixed(limit)
        }
    }

    public var description: String {
        switch self {
        case .adaptive: "adaptive"
        case .fixed(let limit): String(limit)
        case .off: "off"
        }
    }
}

/// The flags of one ``ConcurrencyLimiter``, spelled the same in every service:
/// `--<prefix>-concurrency`, `--<prefix>-latency-target`, `--<prefix>-concurrency-max`,
/// `--<prefix>-queue` and `--<prefix>-queue-timeout`.
public struct ConcurrencyLimitSettings: Sendable {
    public var mode: ConcurrencyLimitMode = .adaptive
    public var targetLatency: Duration
    public var maximumLimit: Int = 1_000
    public var queueSize: Int = 256
    public var queueTimeout: Duration = .milliseconds(50)

    public init(targetLatency: Duration) {
        self.targetLatency = targetLatency
    }

    /// The limiter's configuration, or nil when it is off.
    public var configuration: ConcurrencyLimiter.Configuration? {
        let limit: AdaptiveConcurrencyLimit.Configuration
        switch mode {
        case .off: return nil
        case .fixed(let fixed): limit = .fixed(fixed)
        case .adaptive:
            // Open at first: a burst finds room, and the first windows above the target halve
            // it (1 000 to 125 in 0.3 s) if the service behind cannot take it.
            limit = AdaptiveConcurrencyLimit.Configuration(
                initialLimit: maximumLimit, maximumLimit: maximumLimit, targetLatency: targetLatency)
        }
        return ConcurrencyLimiter.Configuration(limit: limit, queueSize: queueSize, queueTimeout: queueTimeout)
    }

    /// Reads the five flags; `what` names what is limited in their help, e.g. "calls to the database".
    public static func read(
        prefix: String, envPrefix: String, what: String, defaults: ConcurrencyLimitSettings, from reader: inout ConfigReader
    ) -> ConcurrencyLimitSettings {
        var settings = defaults
        settings.mode = reader.read(
            Setting(
                "\(prefix)-concurrency", env: "\(envPrefix)_CONCURRENCY", default: defaults.mode,
                help:
                    "How many \(what) may be in flight: adaptive (the limit follows their latency), a fixed number, or off. Past it they wait in a short queue, then are refused (503 / unavailable).",
                placeholder: "<adaptive|n|off>", expected: "adaptive, off or a number ≥ 1",
                parse: ConcurrencyLimitMode.init(parsing:)))
        settings.targetLatency = reader.read(
            .duration(
                "\(prefix)-latency-target", env: "\(envPrefix)_LATENCY_TARGET", default: defaults.targetLatency,
                help: "Median latency of \(what) the adaptive limit steers to: below it the limit grows, above it shrinks."))
        settings.maximumLimit = reader.read(
            .int(
                "\(prefix)-concurrency-max", env: "\(envPrefix)_CONCURRENCY_MAX", default: defaults.maximumLimit,
                range: 8...1_000_000, help: "The highest the adaptive limit of \(what) may go."))
        settings.queueSize = reader.read(
            .int(
                "\(prefix)-queue", env: "\(envPrefix)_QUEUE", default: defaults.queueSize, range: 0...1_000_000,
                help: "How many \(what) may wait for a place under the limit (newest first); more are refused at once."))
        settings.queueTimeout = reader.read(
            .duration(
                "\(prefix)-queue-timeout", env: "\(envPrefix)_QUEUE_TIMEOUT", default: defaults.queueTimeout,
                help: "How long one past the limit may wait in that queue before it is refused."))
        return settings
    }
}
