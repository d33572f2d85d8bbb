import Logging
import RPC
import ServiceKit

/// Writes one line per request through swift-log, so access lines share the service's
/// stdout, timestamp and request-id field with every other log line.
struct AccessLog: Sendable {
    let logger: Logger?
    let format: AccessLogFormat

    /// - Parameter logger: nil turns the access log off.
    init(logger: Logger?, format: AccessLogFormat) {
        self.logger = logger
        self.format = format
    }

    /// False also when the logger's level drops info lines: a line nobody writes is not built.
    var isEnabled: Bool { logger.map { $0.logLevel <= .info } ?? false }

    func record(_ entry: AccessLogEntry) {
        guard let logger else { return }
        switch format {
        case .text:
            var metadata: Logger.Metadata = [ServiceLogHandler.requestIDKey: "\(entry.requestID)"]
            if let traceparent = entry.traceparent { TraceLogMetadata.add(traceparent: traceparent, to: &metadata) }
            logger.info("\(entry.textLine)", metadata: metadata)
        case .json:
            var metadata: Logger.Metadata = [
                ServiceLogHandler.requestIDKey: "\(entry.requestID)",
                "client": "\(entry.client)",
                "method": "\(entry.method)",
                "target": "\(entry.target)",
                "protocol": "\(entry.version)",
                "status": "\(entry.status)",
                "bytes": "\(entry.bytes)",
                "duration_s": "\(AccessLogEntry.seconds(entry.duration))",
            ]
            if let upstream = entry.upstreamTime { metadata["upstream_s"] = "\(AccessLogEntry.seconds(upstream))" }
            if let agent = entry.userAgent { metadata["user_agent"] = "\(agent)" }
            if let referer = entry.referer { metadata["referer"] = "\(referer)" }
            if let traceparent = entry.traceparent { TraceLogMetadata.add(traceparent: traceparent, to: &metadata) }
            logger.info("request", metadata: metadata)
        }
    }
}
