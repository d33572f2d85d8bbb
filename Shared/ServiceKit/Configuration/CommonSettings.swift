public import Logging

/// The settings every service reads, with the same flags, variables and defaults everywhere.
public struct CommonSettings: Sendable, Equatable {
    public var adminHost: String
    public var adminPort: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var drainTimeout: Duration
    public var threading: ThreadingSettings
    /// The supervisor (e.g. master) whose death stops this process; nil when none.
    public var supervisorPID: Int32?
    public var tracing: TracingSettings

    public init(
        adminHost: String = "0.0.0.0",
        adminPort: Int,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .text,
        drainTimeout: Duration = .seconds(30),
        threading: ThreadingSettings = ThreadingSettings(),
        supervisorPID: Int32? = nil,
        tracing: TracingSettings = TracingSettings()
    ) {
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.drainTimeout = drainTimeout
        self.threading = threading
        self.supervisorPID = supervisorPID
        self.tracing = tracing
    }

    /// Reads the common settings. `defaultAdminPort` differs per service so that all
    /// services can run side by side on one machine without flags.
    ///
    /// The admin host defaults to `0.0.0.0` rather than loopback: in a container, Kubernetes
    /// probes and Prometheus reach the process from outside its network namespace, and the
    /// admin port serves nothing secret (health, readiness, metrics).
    public static func read(from reader: inout ConfigReader, defaultAdminPort: Int) -> CommonSettings {
        CommonSettings(
            adminHost: reader.read(
                .string(
                    "admin-host", env: "ADMIN_HOST", default: "0.0.0.0", placeholder: "<host>",
                    help: "Address the admin HTTP listener (/healthz, /readyz, /metrics) binds.")),
            adminPort: reader.read(
                .port(
                    "admin-port", env: "ADMIN_PORT", default: defaultAdminPort,
                    help: "Port of the admin HTTP listener.")),
            logLevel: reader.read(
                .choice(
                    "log-level", env: "LOG_LEVEL", default: Logger.Level.info,
                    help: "Least severe level that is logged.")),
            logFormat: reader.read(
                .choice(
                    "log-format", env: "LOG_FORMAT", default: LogFormat.text,
                    help: "Log line format on stdout: human-readable text or JSON lines.")),
            drainTimeout: reader.read(
                .duration(
                    "drain-timeout", env: "DRAIN_TIMEOUT", default: .seconds(30),
                    help: "On SIGTERM/SIGINT, how long in-flight work may finish before it is cancelled.")),
            threading: ThreadingSettings.read(from: &reader),
            supervisorPID: reader.read(
                Setting<Int32?>(
                    "supervisor-pid", env: "SUPERVISOR_PID", default: nil,
                    help:
                        "Stop gracefully once this process is no longer our parent; a supervisor such as master sets it, so no instance outlives it.",
                    placeholder: "<pid>", expected: "a process id above 1", defaultDescription: "none"
                ) { text in Int32(text).flatMap { $0 > 1 ? $0 : nil } }),
            tracing: TracingSettings.read(from: &reader)
        )
    }
}
