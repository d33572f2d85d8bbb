import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starting, signalling and reaping child processes, with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` is not used because a child must differ from its parent in two
/// ways it cannot express: its own process group, so that Ctrl-C in a terminal reaches only
/// the master, which then stops the children in order (edge first, data last) instead of all
/// of them draining at once; and default signal dispositions and an empty signal mask,
/// because ignored signals survive exec (a shell starting the master with `&` ignores
/// SIGINT in it, for example) and a child ignoring SIGTERM could only be killed.
///
/// A master that is merely cancelled kills its children itself; one killed with SIGKILL
/// cannot, so each child gets `SUPERVISOR_PID` and stops itself once its parent is gone
/// (ServiceKit's supervisor watch), and ``ChildRegistry`` lets the next master stop any that
/// did not.
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `executable` with `arguments`; stdout and stderr are the master's, so every
    /// instance's log lines appear in the master's output. Returns the pid.
    static func spawn(executable: String, arguments: [String], environment: [String: String]) throws(SpawnError) -> pid_t {
        guard access(executable, X_OK) == 0 else {
            throw SpawnError(description: "\(executable) is not an executable file")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for argument in argv { free(argument) }
            for variable in envp { free(variable) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Waits for the child to end and reaps it. Blocks a dedicated thread in `waitpid`: a
    /// handful of long-lived children do not justify a SIGCHLD handler, and this never
    /// occupies the cooperative pool.
    static func exitStatus(of pid: pid_t) async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while true {
                    let result = waitpid(pid, &status, 0)
                    if result == pid {
                        continuation.resume(returning: ExitStatus(waitStatus: status))
                        return
                    }
                    if result == -1, errno != EINTR {
                        // Not our child (any more): nothing to wait for.
                        continuation.resume(returning: .notStarted(reason: "waitpid: \(String(cString: strerror(errno)))"))
                        return
                    }
                }
            }
            thread.name = "wait-\(pid)"
            thread.start()
        }
    }

    static func signal(_ pid: pid_t, _ signal: Int32) {
        // Only pids this master spawned and has not yet reaped are signalled, so the pid
        // cannot have been reused by an unrelated process.
        _ = kill(pid, signal)
    }
}
