public import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Where SwiftPM put the executables: beside the test bundle.
public var productsDirectory: URL {
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
}

extension Process {
    /// Makes this process run `name`, one of this package's executables, with `arguments`: as
    /// ``UnprivilegedAccount`` when the suite runs as root, otherwise directly. Every test that
    /// starts one of the package's executables goes through here, so none runs one as root by
    /// accident.
    /// - Parameter launcher: A command that execs the service in its place, given before its
    ///   path, e.g. `["/usr/bin/prlimit", "--nofile=256:256", "--"]`; the process is then still
    ///   the service's.
    public func useServiceExecutable(_ name: String, arguments: [String], launcher: [String] = []) throws {
        let account = try UnprivilegedAccount.forServices()
        let folder = account == nil ? productsDirectory : try ServiceExecutables.folder()
        var command = launcher + [folder.appendingPathComponent(name).path] + arguments
        let program = URL(fileURLWithPath: command.removeFirst())
        guard let account else {
            executableURL = program
            self.arguments = command
            return
        }
        let wrapped = account.command(running: program, command)
        executableURL = wrapped.executable
        self.arguments = wrapped.arguments
    }
}

enum ServiceExecutables {
    static func folder() throws -> URL {
        try reachable.get()
    }

    private static let reachable: Result<URL, any Error> = Result {
        let products = productsDirectory
        guard let account = try UnprivilegedAccount.forServices() else { return products }
        let contents = try Contents(of: products)
        if account.can(contents.needs) { return products }

        let staged = FileManager.default.temporaryDirectory.appendingPathComponent(
            "service-products-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: staged, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        staging.withLockedValue { $0 = staged }
        atexit {
            if let staged = ServiceExecutables.staging.withLockedValue({ $0 }) { try? FileManager.default.removeItem(at: staged) }
        }
        try contents.stage(in: staged)
        guard account.can(try Contents(of: staged).needs) else {
            throw ServiceProcessError(
                description: """
                    \(products.path) is closed to \(account.name), who runs the services, and so is the copy in \
                    \(staged.path). Point TMPDIR at a folder every user can reach, or set \
                    \(UnprivilegedAccount.environmentVariable)=root to run the services as root.
                    """)
        }
        return staged
    }

    /// Removed when the test process exits.
    private static let staging = NIOLockedValueBox<URL?>(nil)

    private struct Contents {
        var executables: [URL] = []
        var bundles: [URL] = []
        /// Every file and folder inside the bundles.
        var bundleFiles: [URL] = []
        var bundleFolders: [URL] = []

        init(of folder: URL) throws {
            for url in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
                var info = stat()
                guard stat(url.path, &info) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                if kind == S_IFREG, url.pathExtension.isEmpty, info.st_mode & 0o111 != 0 {
                    executables.append(url)
                } else if kind == S_IFDIR, url.pathExtension == "resources" {
                    bundles.append(url)
                    bundleFolders.append(url)
                    let walk = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey])
                    while let inner = walk?.nextObject() as? URL {
                        if (try? inner.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                            bundleFolders.append(inner)
                        } else {
                            bundleFiles.append(inner)
                        }
                    }
                }
            }
        }

        var needs: [UnprivilegedAccount.Need] {
            let executables: [UnprivilegedAccount.Need] = executables.map { .execute($0) }
            let folders: [UnprivilegedAccount.Need] = bundleFolders.map { .list($0) }
            let files: [UnprivilegedAccount.Need] = bundleFiles.map { .read($0) }
            return executables + folders + files
        }

        /// Hard links when the temporary folder is on the same file system and the executable is
        /// open to everyone (debug executables are large), copies otherwise.
        func stage(in target: URL) throws {
            for executable in executables {
                let destination = target.appendingPathComponent(executable.lastPathComponent)
                var info = stat()
                if stat(executable.path, &info) == 0, info.st_mode & 0o005 == 0o005,
                    link(executable.path, destination.path) == 0
                {
                    continue
                }
                try FileManager.default.copyItem(at: executable, to: destination)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination.path)
            }
            for bundle in bundles {
                let destination = target.appendingPathComponent(bundle.lastPathComponent)
                try FileManager.default.copyItem(at: bundle, to: destination)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination.path)
                let walk = FileManager.default.enumerator(at: destination, includingPropertiesForKeys: [.isDirectoryKey])
                while let inner = walk?.nextObject() as? URL {
                    let isFolder = (try? inner.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
                    try FileManager.default.setAttributes([.posixPermissions: isFolder ? 0o755 : 0o644], ofItemAtPath: inner.path)
                }
            }
        }
    }
}
