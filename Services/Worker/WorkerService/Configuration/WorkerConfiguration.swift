import AppServer
public import RPC
import ServiceKit

/// Everything the worker reads from flags and the environment.
public struct WorkerConfiguration: Sendable {
    public var rpcServer: RPCServerConfiguration
    public var dataTarget: RPCTarget
    public var dataClient: RPCClientConfiguration
    /// Plain HTTP listener for development; nil serves over RPC only.
    public var http: HostPort?
    public var jwtSecret: JWTSecret
    public var tokenLifetime: Duration
    /// Per client address and minute, in this worker; 0 turns the limit off.
    public var loginAttemptsPerAddress: Int
    public var registrationsPerAddress: Int
    /// Addresses each of those limits tracks at most.
    public var throttleMaximumAddresses: Int

    public static let defaultLoginAttemptsPerAddress = 20
    public static let defaultRegistrationsPerAddress = 5
    public static let defaultThrottleMaximumAddresses = 100_000

    static func read(from reader: inout ConfigReader) -> WorkerConfiguration {
        let rpcSecret = RPCSettings.secret(from: &reader)
        let rpcServer = RPCSettings.server(from: &reader, defaultPort: WorkerService.defaultRPCPort, secret: rpcSecret)
        let data = RPCSettings.client(for: "data", from: &reader, defaultTarget: "dns://data:7102", secret: rpcSecret)

        let httpSetting = Setting<HostPort?>(
            "http", env: "HTTP_LISTEN", default: nil,
            help: "Also serve the API over plain HTTP on host:port, for development without the edge (off by default).",
            placeholder: "<host:port>", expected: "host:port with a port 1-65535", defaultDescription: "off"
        ) { HostPort(parsing: $0) }
        let http = reader.read(httpSetting)

        let secretSetting = Setting<String>.secret(
            "jwt-secret", env: "JWT_SECRET",
            help: "Key signing and verifying access tokens (HS256), at least \(JWTSecret.minimumLength) bytes, the same on every worker. "
                + "Unset: a random key per process (tokens work only on that worker, until it restarts), with a warning.")
        let secretText = reader.read(secretSetting)
        let jwtSecret: JWTSecret
        if secretText.isEmpty {
            jwtSecret = .generated()
        } else if let configured = JWTSecret(configured: secretText) {
            jwtSecret = configured
        } else {
            reader.reject(
                secretSetting, because: "must be at least \(JWTSecret.minimumLength) bytes; generate one with `openssl rand -base64 48`")
            jwtSecret = .generated()
        }

        let lifetimeSetting = Setting<Duration>.duration(
            "token-lifetime", env: "TOKEN_LIFETIME", default: .seconds(86_400),
            help: "How long an access token is valid after login.")
        let tokenLifetime = reader.read(lifetimeSetting)
        if tokenLifetime < .seconds(1) || tokenLifetime > .seconds(366 * 86_400) {
            reader.reject(lifetimeSetting, because: "must be between 1s and 366 days")
        }

        // Per worker: see AddressThrottle for why these are not shared between workers.
        let loginAttempts = reader.read(
            .int(
                "login-attempts-per-address", env: "LOGIN_ATTEMPTS_PER_ADDRESS", default: defaultLoginAttemptsPerAddress,
                range: 0...1_000_000,
                help: "Login attempts per client address per minute, in each worker (N workers allow up to N times it); "
                    + "beyond it 429 with Retry-After; 0 turns it off."))
        let registrations = reader.read(
            .int(
                "registrations-per-address", env: "REGISTRATIONS_PER_ADDRESS", default: defaultRegistrationsPerAddress,
                range: 0...1_000_000,
                help: "Registrations per client address per minute, in each worker; beyond it 429 with Retry-After; 0 turns it off."))
        let maximumAddresses = reader.read(
            .int(
                "throttle-max-addresses", env: "THROTTLE_MAX_ADDRESSES", default: defaultThrottleMaximumAddresses,
                range: 1...10_000_000,
                help: "Client addresses each of those limits tracks; beyond it, addresses not yet tracked share one allowance."))

        return WorkerConfiguration(
            rpcServer: rpcServer, dataTarget: data.target, dataClient: data.configuration, http: http,
            jwtSecret: jwtSecret, tokenLifetime: tokenLifetime, loginAttemptsPerAddress: loginAttempts,
            registrationsPerAddress: registrations, throttleMaximumAddresses: maximumAddresses)
    }
}
