public import Logging

/// Process-wide logging setup.
public enum ServiceLogging {
    /// Routes every `Logger` in the process, including those of libraries, to stdout through
    /// ``ServiceLogHandler``. swift-log allows this exactly once per process.
    public static func bootstrap(service: String, level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { _ in
            ServiceLogHandler(service: service, format: format, level: level)
        }
    }
}
