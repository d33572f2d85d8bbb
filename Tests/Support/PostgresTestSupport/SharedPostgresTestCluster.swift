import Foundation
import NIOConcurrencyHelpers

extension PostgresTestCluster {
    private static let sharedStart = NIOLockedValueBox<Task<PostgresTestCluster, any Error>?>(nil)

    /// One cluster per test process, started on first use and stopped when the process exits.
    ///
    /// Do not stop or restart it: other tests share it. If it cannot start, every caller gets the error,
    /// so the tests fail rather than skip.
    public static func shared() async throws -> PostgresTestCluster {
        let start = sharedStart.withLockedValue { task in
            if let task { return task }
            let started = Task { try await PostgresTestCluster.start() }
            task = started
            return started
        }
        return try await start.value
    }
}

/// Clusters not yet stopped, so that process exit can stop them even when a test failed before its cleanup.
enum LiveClusters {
    private static let clusters = NIOLockedValueBox<[String: PostgresTestCluster]>([:])

    private static let exitHook: Void = {
        atexit { LiveClusters.stopAll() }
    }()

    static func register(_ cluster: PostgresTestCluster) {
        _ = exitHook
        clusters.withLockedValue { $0[cluster.root.path] = cluster }
    }

    static func unregister(_ cluster: PostgresTestCluster) {
        _ = clusters.withLockedValue { $0.removeValue(forKey: cluster.root.path) }
    }

    private static func stopAll() {
        let remaining = clusters.withLockedValue { all in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for cluster in remaining {
            try? cluster.shutdownBlocking()
        }
    }
}
