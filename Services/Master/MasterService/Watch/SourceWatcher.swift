import Logging
import ServiceKit

/// `master --watch`: polls the sources of every service that declares them, rebuilds a
/// service once its sources changed and settled, and reports `.rebuilt` so the supervisor
/// replaces only that service's instances, one at a time, each new one ready before the
/// old one drains. A failed build is logged with its output and changes nothing: the old
/// instances keep serving until the next change builds.
struct SourceWatcher {
    struct Watched {
        var service: ServiceName
        var spec: WatchSpec
    }

    let watched: [Watched]
    let settings: WatchSettings
    let logger: Logger

    /// - Parameter topology: Its services with sources and a build command are watched, in start order.
    init(topology: Topology, order: [ServiceName], settings: WatchSettings, logger: Logger) {
        watched = order.compactMap { name in
            guard let spec = topology.service(name)?.watch, !spec.build.isEmpty else { return nil }
            return Watched(service: name, spec: spec)
        }
        self.settings = settings
        self.logger = logger
    }

    func run(rebuilt: (ServiceName) -> Void) async {
        logger.info(
            "watching sources", metadata: ["services": "\(watched.map(\.service.rawValue).joined(separator: ","))"])
        var detectors = Dictionary(uniqueKeysWithValues: watched.map { ($0.service, SourceChangeDetector(quiet: settings.quiet)) })
        while !Task.isCancelled {
            var scans: [String: SourceFingerprint] = [:]
            for path in Set(watched.flatMap(\.spec.sources)) {
                scans[path] = SourceScanner.scan(path)
            }
            let now = ContinuousClock.now
            var due: [(Watched, [String])] = []
            for entry in watched {
                let fingerprint = entry.spec.sources.reduce(SourceFingerprint()) { $0.merging(scans[$1] ?? SourceFingerprint()) }
                if let changes = detectors[entry.service]?.observe(fingerprint, at: now) {
                    due.append((entry, changes))
                }
            }
            await build(due, rebuilt: rebuilt)
            try? await Task.sleep(for: settings.interval)
        }
    }

    /// Builds one after another (builds of one package share its build folder); a command
    /// several services share runs once for all of them.
    private func build(_ due: [(Watched, [String])], rebuilt: (ServiceName) -> Void) async {
        var done: [String: BuildCommand.Result] = [:]
        for (entry, changes) in due where !Task.isCancelled {
            let key = entry.spec.workingDirectory + "\u{0}" + entry.spec.build
            let result: BuildCommand.Result
            if let earlier = done[key] {
                result = earlier
            } else {
                logger.info(
                    "sources changed, building",
                    metadata: [
                        "service": "\(entry.service)", "changed": "\(changes.prefix(5).joined(separator: ","))",
                        "files": "\(changes.count)", "command": "\(entry.spec.build)",
                    ])
                let started = ContinuousClock.now
                result = await BuildCommand.run(entry.spec.build, in: entry.spec.workingDirectory)
                done[key] = result
                if result.succeeded {
                    logger.info("build succeeded", metadata: ["service": "\(entry.service)", "took": "\(ContinuousClock.now - started)"])
                } else {
                    logger.error(
                        "build failed, the running instances stay",
                        metadata: ["service": "\(entry.service)", "status": "\(result.status)"])
                    // As the compiler wrote it, not escaped into a log field: a developer reads it.
                    StandardError.write(result.output)
                }
            }
            if result.succeeded { rebuilt(entry.service) }
        }
    }
}
