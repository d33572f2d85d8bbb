import CMallocTuning

/// glibc gives every thread that allocates its own malloc arena (up to 8 per core), and freed
/// memory stays in each. Our services touch memory from a handful of threads (event loops, the
/// blocking pool), so the arenas mostly multiply the resident set: on the load test the data
/// service peaked at 80 MiB with the default and 50 MiB with two arenas, at the same speed.
enum MallocArenas {
    static let defaultLimit: Int32 = 2

    /// Limits the arenas unless `MALLOC_ARENA_MAX` is set, which glibc has then applied itself
    /// and which wins. Returns the limit set, or nil when left to the environment or not glibc.
    static func limitUnlessConfigured(environment: [String: String]) -> Int32? {
        guard environment["MALLOC_ARENA_MAX"] == nil else { return nil }
        return cmalloctuning_set_arena_max(defaultLimit) == 1 ? defaultLimit : nil
    }
}
