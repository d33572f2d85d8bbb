#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The limits of an ``InMemoryData`` that the real data service reads from its flags
/// (`--login-attempts-per-account`, `--login-account-window`, `--max-result-window`), so a
/// worker meets the same refusals from either. The defaults are the real service's.
public struct InMemoryDataSettings: Sendable, Equatable {
    /// Login attempts an account may make within ``loginAccountWindow`` before further ones
    /// are refused unchecked; 0 turns the throttle off.
    public var loginAttemptsPerAccount: Int
    /// The window attempts are counted in, from its first attempt.
    public var loginAccountWindow: Duration
    /// Deepest item a list page may reach (`page × size`).
    public var maximumResultWindow: Int

    public init(loginAttemptsPerAccount: Int = 10, loginAccountWindow: Duration = .seconds(15 * 60), maximumResultWindow: Int = 10_000) {
        self.loginAttemptsPerAccount = loginAttemptsPerAccount
        self.loginAccountWindow = loginAccountWindow
        self.maximumResultWindow = maximumResultWindow
    }

    var loginWindowSeconds: TimeInterval {
        let (seconds, attoseconds) = loginAccountWindow.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) * 1e-18
    }
}
