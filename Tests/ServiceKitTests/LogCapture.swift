import ServiceKit
import Synchronization

/// Collects the lines a ``ServiceLogHandler`` writes, as the writer sees them.
final class LogCapture: Sendable {
    private let captured = Mutex<[[UInt8]]>([])

    var writer: LogWriter {
        LogWriter { line in self.captured.withLock { $0.append(line) } }
    }

    var lines: [String] {
        captured.withLock { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    var writeCount: Int {
        captured.withLock { $0.count }
    }
}
