import Foundation
import NIOConcurrencyHelpers
import ServiceTestSupport
import Synchronization

/// Concurrent clients sending GETs through the edge until stopped, counting what failed.
final class LoadGenerator: Sendable {
    struct Result: Sendable {
        var succeeded = 0
        /// Status codes other than 2xx, and transport errors, with a sample of each.
        var failures: [String] = []
    }

    private let result = NIOLockedValueBox(Result())
    private let running = Atomic(true)

    var snapshot: Result { result.withLockedValue { $0 } }

    func stop() {
        running.store(false, ordering: .relaxed)
    }

    /// Runs `clients` loops of GET `path` on `port` until ``stop()``.
    func run(port: Int, path: String, clients: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    while self.running.load(ordering: .relaxed) {
                        do {
                            let answer = try await httpGet(port: port, path: path)
                            self.record((200..<300).contains(answer.status) ? nil : "HTTP \(answer.status): \(answer.body.prefix(200))")
                        } catch {
                            self.record("transport: \(error)")
                        }
                    }
                }
            }
        }
    }

    private func record(_ failure: String?) {
        result.withLockedValue { result in
            if let failure {
                result.failures.append(failure)
            } else {
                result.succeeded += 1
            }
        }
    }
}
