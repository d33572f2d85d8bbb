import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Watches the maintenance file: present means maintenance, and its content is the page.
/// Checked once a second off the event loops, so requests read a cached answer and never
/// touch the file system.
package final class MaintenanceSwitch: Service, Sendable, CustomStringConvertible {
    let path: String
    private let interval: Duration
    private let logger: Logger
    /// The page while in maintenance, nil otherwise.
    private let state = NIOLockedValueBox<[UInt8]?>(nil)
    /// Large enough for any real page, small enough that a wrong path cannot eat memory.
    private static let maximumPageSize = 1 << 20

    init(path: String, interval: Duration = .seconds(1), logger: Logger) {
        self.path = path
        self.interval = interval
        self.logger = logger
        refresh()
    }

    /// The maintenance page, or nil when not in maintenance.
    var page: [UInt8]? { state.withLockedValue { $0 } }

    package func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                self.refresh()
            }
        }
    }

    func refresh() {
        let page: [UInt8]?
        if FileManager.default.fileExists(atPath: path) {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)) ?? Data()
            page = Array(data.prefix(Self.maximumPageSize))
        } else {
            page = nil
        }
        let previous = state.withLockedValue { state in
            defer { state = page }
            return state
        }
        if (previous == nil) != (page == nil) {
            logger.notice(page == nil ? "maintenance mode off" : "maintenance mode on: /api/ answers 503", metadata: ["file": "\(path)"])
        }
    }

    package var description: String { "MaintenanceSwitch" }
}
