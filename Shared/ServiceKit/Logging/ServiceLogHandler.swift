public import Logging

/// A swift-log handler that writes one line per event: timestamp, level, service,
/// request id (from the `request-id` metadata key), message, then the remaining metadata.
public struct ServiceLogHandler: LogHandler {
    /// The metadata key whose value is shown as the request id rather than as metadata.
    public static let requestIDKey = "request-id"

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let service: String
    public let format: LogFormat
    private let writer: LogWriter
    private let clock: @Sendable () -> LogTimestamp

    /// - Parameters:
    ///   - writer: Receives each finished line; stdout by default, injectable for tests.
    ///   - clock: The time source; injectable so tests get deterministic timestamps.
    public init(
        service: String,
        format: LogFormat = .text,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        writer: LogWriter = .standardOutput,
        clock: @escaping @Sendable () -> LogTimestamp = LogTimestamp.now
    ) {
        self.service = service
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.writer = writer
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Logger checks the level too, but a handler used directly must not pay for formatting.
        guard event.level >= logLevel else { return }

        // Later sources win: handler metadata, then the provider's, then the call site's.
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = "\(error)"
        }
        let requestID = merged.removeValue(forKey: Self.requestIDKey)?.description

        let record = LogRecord(
            timestamp: clock(),
            level: event.level,
            service: service,
            requestID: requestID,
            message: event.message.description,
            metadata: merged
        )
        writer.write(LogLineEncoder.encode(record, as: format))
    }
}
