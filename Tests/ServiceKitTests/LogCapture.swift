import NIOConcurrencyHelpers
import ServiceKit

/// Collects the lines a ``ServiceLogHandler`` writes, as the writer sees them.
final class LogCapture: Sendable {
    private let captured = NIOLockedValueBox<[[UInt8]]>([])

    var writer: LogWriter {
        LogWriter { line in self.captured.withLockedValue { $0.append(line) } }
    }

    var lines: [String] {
        captured.withLockedValue { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    var writeCount: Int {
        captured.withLockedValue { $0.count }
    }
}
