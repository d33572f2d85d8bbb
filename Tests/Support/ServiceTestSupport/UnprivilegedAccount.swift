public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The ordinary account this package's services run as in tests when the suite itself runs as
/// root (as it does in CI).
///
/// Root hides every failure that depends on privileges: a socket option only CAP_NET_ADMIN may
/// set (TCP_NODELAY once set at SOL_SOCKET, which is SO_DEBUG), a file only root may read, a port
/// below 1024. Deployed, the services run as an ordinary user, so tests run them as one too.
///
/// `SERVICE_TEST_USER` chooses the account (default `nobody`, with its primary group: `nogroup`
/// on Debian); `root` or an empty value runs the services as root, which hides such bugs again.
public struct UnprivilegedAccount: Sendable, Equatable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t

    public static let environmentVariable = "SERVICE_TEST_USER"
    public static let defaultName = "nobody"
    /// setpriv changes the ids and then execs the service in place, so the pid a test holds is
    /// the service's own and its signals reach the service; runuser and su fork and would stand
    /// between them.
    static let setpriv = "/usr/bin/setpriv"

    /// The account services run as in this test process, or nil when they run as the suite's own
    /// user: it is not root, or `SERVICE_TEST_USER` asks for root.
    public static func forServices() throws -> UnprivilegedAccount? {
        try resolved.get()
    }

    /// Whether `SERVICE_TEST_USER` explicitly asks to run the services as root.
    public static var rootRequested: Bool {
        ProcessInfo.processInfo.environment[environmentVariable].map { $0.isEmpty || $0 == "root" } ?? false
    }

    /// Hands `folder` and everything in it (links are not followed) to the account, so a service
    /// can read what a test wrote there (a static root) and create files and Unix sockets in it.
    /// Call it once the folder is filled; it does nothing when services run as the suite's user.
    public static func giveToServices(_ folder: URL) throws {
        guard let account = try forServices() else { return }
        try account.own(folder.path)
        guard account.can([.write(folder)]) else {
            throw ServiceProcessError(
                description: """
                    \(folder.path) is not reachable by \(account.name), who runs the services: a folder above it \
                    is closed to it. Point TMPDIR at a folder every user can reach, or set \(environmentVariable)=root.
                    """)
        }
    }

    private static let resolved: Result<UnprivilegedAccount?, any Error> = Result {
        guard geteuid() == 0 else { return nil }
        let name = ProcessInfo.processInfo.environment[environmentVariable] ?? defaultName
        if name.isEmpty || name == "root" { return nil }
        guard let account = lookUp(name) else {
            throw ServiceProcessError(description: "\(environmentVariable)=\(name): no such account")
        }
        guard account.uid != 0 else {
            throw ServiceProcessError(description: "\(environmentVariable)=\(name) has uid 0; say root to run the services as root")
        }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw ServiceProcessError(
                description: """
                    the tests run as root and start the services as \(name) with \(setpriv), which is missing \
                    (Debian: apt-get install util-linux); or set \(environmentVariable)=root to run them as root
                    """)
        }
        return account
    }

    /// getpwnam_r, not getpwnam: the latter's static buffer is shared with any other thread looking up an account.
    private static func lookUp(_ name: String) -> UnprivilegedAccount? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
        return UnprivilegedAccount(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
    }

    /// The command that runs `executable` with `arguments` as this account, with no supplementary
    /// groups (root's would otherwise be kept) and no capabilities to inherit.
    func command(running executable: URL, _ arguments: [String]) -> (executable: URL, arguments: [String]) {
        let change = ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--inh-caps=-all", "--"]
        return (URL(fileURLWithPath: Self.setpriv), change + [executable.path] + arguments)
    }

    /// What a service needs of a path.
    enum Need {
        case execute(URL)
        case read(URL)
        /// Read and search a directory.
        case list(URL)
        /// Create entries in a directory.
        case write(URL)

        var probe: String {
            switch self {
            case .execute(let url): "x:" + url.path
            case .read(let url): "r:" + url.path
            case .list(let url): "l:" + url.path
            case .write(let url): "w:" + url.path
            }
        }
    }

    /// Whether this account has every one of `needs`, asked of the kernel as the account itself:
    /// root's access checks say yes to everything, and mode bits alone miss ACLs and the folders above.
    func can(_ needs: [Need]) -> Bool {
        let script = """
            for need; do
                path=${need#?:}
                case $need in
                    x:*) test -f "$path" && test -x "$path" ;;
                    r:*) test -r "$path" ;;
                    l:*) test -r "$path" && test -x "$path" ;;
                    w:*) test -w "$path" && test -x "$path" ;;
                esac || exit 1
            done
            """
        let asAccount = command(running: URL(fileURLWithPath: "/bin/sh"), ["-c", script, "probe"] + needs.map(\.probe))
        let probe = Process()
        probe.executableURL = asAccount.executable
        probe.arguments = asAccount.arguments
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
        } catch {
            return false
        }
        probe.waitUntilExit()
        return probe.terminationReason == .exit && probe.terminationStatus == 0
    }

    /// chown -R that never follows a link: a static root may hold links to /etc on purpose.
    private func own(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0, lchown(path, uid, gid) == 0 else {
            throw ServiceProcessError(description: "cannot give \(path) to \(name): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return }
        for entry in try FileManager.default.contentsOfDirectory(atPath: path) {
            try own(path + "/" + entry)
        }
    }
}
