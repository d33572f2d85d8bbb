public import Logging

/// Process-wide logging setup.
public enum ServiceLogging {
    /// Routes every `Logger` in the process, including those of libraries, to stdout through
    /// ``ServiceLogHandler``. swift-log allows this exactly once per process.
    /// - Parameter metadataProvider: adds metadata of the task's context to each line, e.g.
    ///   ``ServiceTracing/logMetadataProvider``'s trace and span ids.
    public static func bootstrap(
        service: String, level: Logger.Level, format: LogFormat, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        LoggingSystem.bootstrap { _ in
            ServiceLogHandler(service: service, format: format, level: level, metadataProvider: metadataProvider)
        }
    }
}
