import NIOCore
import NIOPosix
import ServiceKit
import Synchronization

// Counts the jobs Swift concurrency gives the global executor while a task on the event loops
// runs rounds of nested nonisolated async calls, each round suspending once at the bottom.
// `kit` installs ServiceKit's global executor; `serial` one that hands each job to its event
// loop as a serial executor, as SwiftNIO's takeover does. Prints the jobs per round.

let enqueued = Atomic<Int>(0)

func countingKit(_ job: UnownedJob, _: @convention(thin) (UnownedJob) -> Void) {
    enqueued.add(1, ordering: .relaxed)
    EventLoopGlobalExecutor.enqueue(job)
}

func countingSerial(_ job: UnownedJob, _ original: @convention(thin) (UnownedJob) -> Void) {
    enqueued.add(1, ordering: .relaxed)
    guard let loop = MultiThreadedEventLoopGroup.singleton.any() as? any SerialExecutor else { return original(job) }
    loop.enqueue(ExecutorJob(job))
}

@inline(never)
func nested(_ depth: Int, on loop: any EventLoop) async throws -> Int {
    guard depth > 0 else { return try await loop.submit { 1 }.get() }
    return try await nested(depth - 1, on: loop) + 1
}

let style = CommandLine.arguments.dropFirst().first ?? "kit"
let installed =
    switch style {
    case "serial": EventLoopGlobalExecutor.install { job, original in countingSerial(job, original) }
    default: EventLoopGlobalExecutor.install { job, original in countingKit(job, original) }
    }
guard installed else { fatalError("a global executor hook was already installed") }

let rounds = 1000
let depth = 5
let (onLoop, jobs) = try await Task.detached {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    _ = try await nested(depth, on: loop)  // warm-up
    let before = enqueued.load(ordering: .relaxed)
    var sum = 0
    for _ in 0..<rounds { sum += try await nested(depth, on: loop) }
    precondition(sum == rounds * (depth + 1))
    return (MultiThreadedEventLoopGroup.currentEventLoop != nil, enqueued.load(ordering: .relaxed) - before)
}.value
print("style \(style) on-event-loop \(onLoop) jobs-per-round \(Double(jobs) / Double(rounds))")
