import Foundation
import PostgresTestSupport
import ServiceTestSupport
import XCTest

/// Faults injected into the running system — edge, two workers, data, a private PostgreSQL,
/// all real processes on loopback — under a steady load of requests through the edge. Every
/// answer is checked: which statuses are allowed during the fault, how long any request may
/// take, how soon the system serves again, and (for writes) that the database holds exactly
/// what the clients were told was created.
final class FaultToleranceTests: XCTestCase {
    static let user = "faulty"
    /// Slack for scheduling on a busy machine on top of a deadline the services enforce.
    static let latencyMargin: Duration = .milliseconds(500)
    /// How soon after the data service or the database is back every request must succeed again.
    static let recoveryBound: Duration = .seconds(2)

    private static func get(_ client: Int, _ index: Int) -> (method: String, target: String, json: String?, text: String?) {
        ("GET", "/api/users/\(user)", nil, nil)
    }

    private static func post(_ prefix: String) -> @Sendable (Int, Int) -> (method: String, target: String, json: String?, text: String?) {
        { client, index in
            let text = "\(prefix)-\(client)-\(index)"
            return ("POST", "/api/users/\(user)/collection", #"{"text":"\#(text)"}"#, text)
        }
    }

    // MARK: 1. kill -9 a worker

    /// A worker dies mid-load: the edge repeats idempotent requests on the other worker, so no
    /// GET fails; a POST may fail only with 502 (it may or may not have been applied), and every
    /// POST is applied at most once — each acknowledged one exactly once.
    func testKillingAWorkerLosesNoGETAndAppliesEveryPOSTAtMostOnce() async throws {
        let stack = try await FaultStack.start(for: self)
        let token = try await stack.user(Self.user)
        let post = Self.post("k9")
        let load = FaultStack.Load.start(
            port: stack.edgePort,
            request: { client, index in
                client.isMultiple(of: 2) ? Self.get(client, index) : post(client, index)
            }, token: token)
        try await load.waitFor(20, status: 200)
        try await load.waitFor(20, status: 201)
        let killed = ContinuousClock.now
        stack.workers[0].signal(SIGKILL)
        try await stack.workers[0].waitForExit()
        try await Task.sleep(for: .seconds(2))
        let samples = await load.stop()

        let gets = samples.filter { $0.method == "GET" }
        let posts = samples.filter { $0.method == "POST" }
        XCTAssertGreaterThan(samples.filter { $0.started > killed }.count, 50, "too little load after the kill")
        let failedGets = gets.filter { $0.status != 200 }
        XCTAssertTrue(
            failedGets.isEmpty, "\(failedGets.count) of \(gets.count) GETs failed: \(failedGets.prefix(5).map(\.summary))\n\(stack.logs())")
        let badPosts = posts.filter { $0.status != 201 && $0.status != 502 }
        XCTAssertTrue(badPosts.isEmpty, "POSTs may fail only with 502: \(badPosts.prefix(5).map(\.summary))\n\(stack.logs())")

        let created = posts.filter { $0.status == 201 }.compactMap(\.text)
        let rejected = posts.filter { $0.status == 502 }.compactMap(\.text)
        let stored = try await stack.micropostTexts()
        try assertStoredExactlyOnce(created: created, stored: stored, allowedExtra: Set(rejected))
        let appliedDespite502 = Set(stored).intersection(rejected).count
        print(
            "FAULT-METRIC kill -9 worker: GETs \(FaultStack.statusCounts(gets)); POSTs \(FaultStack.statusCounts(posts)); 502s applied anyway: \(appliedDespite502)"
        )
    }

    // MARK: 2. SIGTERM a worker

    /// A worker drained by SIGTERM mid-load costs no request, and exits 0.
    func testStoppingAWorkerGracefullyCostsNoRequest() async throws {
        let stack = try await FaultStack.start(for: self)
        let token = try await stack.user(Self.user)
        let load = FaultStack.Load.start(port: stack.edgePort, request: Self.get, token: token)
        try await load.waitFor(40)
        let stopping = ContinuousClock.now
        stack.workers[0].signal(SIGTERM)
        let status = try await stack.workers[0].waitForExit()
        let drained = ContinuousClock.now - stopping
        let exited = ContinuousClock.now
        try await load.waitFor(100, after: exited)
        let samples = await load.stop()

        XCTAssertEqual(status, 0, stack.workers[0].logTail())
        let failed = samples.filter { $0.status != 200 }
        XCTAssertTrue(
            failed.isEmpty, "\(failed.count) of \(samples.count) requests failed: \(failed.prefix(5).map(\.summary))\n\(stack.logs())")
        print("FAULT-METRIC SIGTERM worker: \(FaultStack.statusCounts(samples)); drained and exited in \(FaultStack.ms(drained)) ms")
    }

    // MARK: 3. restart the data service

    /// The data service stops (SIGTERM) and a new one starts on the same port: meanwhile the
    /// API answers 503 with `Retry-After`, never slower than the worker's data deadline, and
    /// within ``recoveryBound`` of the new process being ready every request succeeds again.
    func testRestartingTheDataServiceFailsFastAndRecovers() async throws {
        let stack = try await FaultStack.start(for: self)
        let token = try await stack.user(Self.user)
        let load = FaultStack.Load.start(port: stack.edgePort, request: Self.get, token: token)
        try await load.waitFor(40)
        stack.data.signal(SIGTERM)
        let exitStatus = try await stack.data.waitForExit()
        let down = ContinuousClock.now
        try await Task.sleep(for: .seconds(1))
        try stack.startData()
        try await stack.data.waitForAdmin()
        let ready = ContinuousClock.now
        try await load.waitFor(100, after: ready + Self.recoveryBound)
        let samples = await load.stop()

        XCTAssertEqual(exitStatus, 0, "the data service did not drain cleanly")
        try assertOutage(samples, down: down, back: ready, stack: stack, what: "data service restart")
    }

    // MARK: 4. restart PostgreSQL

    /// PostgreSQL stops and starts again: meanwhile the API answers 503 with `Retry-After`,
    /// never slower than the worker's data deadline; within ``recoveryBound`` of the database
    /// accepting connections again (the data service checks it every 200 ms) it serves again.
    func testRestartingPostgreSQLFailsFastAndRecovers() async throws {
        let stack = try await FaultStack.start(for: self)
        let token = try await stack.user(Self.user)
        let load = FaultStack.Load.start(port: stack.edgePort, request: Self.get, token: token)
        try await load.waitFor(40)
        try await stack.cluster.stopServer()
        let down = ContinuousClock.now
        try await Task.sleep(for: .seconds(1))
        try await stack.cluster.startServer()
        let back = ContinuousClock.now
        try await load.waitFor(100, after: back + Self.recoveryBound)
        let samples = await load.stop()

        try assertOutage(samples, down: down, back: back, stack: stack, what: "PostgreSQL restart")
    }

    // MARK: 5. kill -9 the data service during writes

    /// The data service is killed during a stream of POSTs and started again: every micropost
    /// the clients were told was created (201) is in the database, exactly once.
    func testKillingTheDataServiceLosesNoAcknowledgedPOST() async throws {
        let stack = try await FaultStack.start(for: self)
        let token = try await stack.user(Self.user)
        let load = FaultStack.Load.start(port: stack.edgePort, request: Self.post("d9"), token: token)
        try await load.waitFor(40, status: 201)
        let killed = ContinuousClock.now
        stack.data.signal(SIGKILL)
        try await stack.data.waitForExit()
        let down = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(500))
        try stack.startData()
        try await stack.data.waitForAdmin()
        let ready = ContinuousClock.now
        try await load.waitFor(40, status: 201, after: ready)
        let samples = await load.stop()

        let failed = samples.filter { $0.status != 201 }
        XCTAssertFalse(failed.isEmpty, "no POST noticed the outage: the test did not test anything")
        // 503 + Retry-After: nothing was done, try again. 502 without it: the call was cut off
        // mid-way and may have been applied, so the client is not told to repeat it.
        let unexplained = failed.filter { !($0.status == 503 && $0.retryAfter != nil) && !($0.status == 502 && $0.retryAfter == nil) }
        XCTAssertTrue(
            unexplained.isEmpty,
            "while the data service is down a POST should get 503 with Retry-After (or 502 if cut off mid-call): \(unexplained.prefix(5).map(\.summary))\n\(stack.logs())"
        )
        let created = samples.filter { $0.status == 201 }.compactMap(\.text)
        let notCreated = Set(failed.compactMap(\.text))
        let stored = try await stack.micropostTexts()
        let retryableButApplied = failed.filter { $0.status == 503 && $0.text.map(Set(stored).contains) == true }
        XCTAssertTrue(
            retryableButApplied.isEmpty,
            "told to retry (503) although the POST was applied: \(retryableButApplied.prefix(5).map(\.summary))")
        try assertStoredExactlyOnce(created: created, stored: stored, allowedExtra: notCreated)
        let outage = (failed.map(\.finished).max() ?? down) - down
        // A POST cut off mid-call may have been committed before the data service died; its
        // client got an error. Such requests are listed here, with when they ended.
        let appliedAnyway = failed.filter { $0.text.map(Set(stored).contains) == true }
            .map { "\($0.summary) (ended \(FaultStack.ms($0.finished - killed)) ms after the kill)" }
        print(
            """
            FAULT-METRIC kill -9 data: POSTs \(FaultStack.statusCounts(samples)); failing until \(FaultStack.ms(outage)) ms \
            after the kill was reaped, \(FaultStack.ms(ready - down)) ms of it until the new process was ready; \
            applied despite an error: \(appliedAnyway.count) \(appliedAnyway)
            """)
    }

    // MARK: Checks

    /// Every acknowledged text is stored exactly once; nothing is stored twice; anything else
    /// stored is one of `allowedExtra` (requests whose outcome the client could not know).
    private func assertStoredExactlyOnce(
        created: [String], stored: [String], allowedExtra: Set<String>, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var counts: [String: Int] = [:]
        for text in stored { counts[text, default: 0] += 1 }
        let duplicates = counts.filter { $0.value > 1 }
        XCTAssertTrue(duplicates.isEmpty, "stored more than once: \(duplicates.prefix(5))", file: file, line: line)
        let missing = created.filter { counts[$0] == nil }
        XCTAssertTrue(
            missing.isEmpty, "\(missing.count) of \(created.count) acknowledged microposts are missing: \(missing.prefix(5))", file: file,
            line: line)
        XCTAssertEqual(Set(created).count, created.count, "a text was acknowledged twice", file: file, line: line)
        let acknowledged = Set(created)
        let unexpected = counts.keys.filter { !acknowledged.contains($0) && !allowedExtra.contains($0) }
        XCTAssertTrue(unexpected.isEmpty, "stored but never sent or reported created: \(unexpected.prefix(5))", file: file, line: line)
        XCTAssertLessThanOrEqual(stored.count, created.count + allowedExtra.count, file: file, line: line)
    }

    /// During an outage of what the workers depend on, between `down` and `back`: only 200 or
    /// 503 with `Retry-After`, no request slower than the data deadline plus a margin, and no
    /// failure finishing later than ``recoveryBound`` after `back`.
    private func assertOutage(
        _ samples: [FaultStack.Sample], down: ContinuousClock.Instant, back: ContinuousClock.Instant, stack: FaultStack, what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let unexpected = samples.filter { !($0.status == 200 || ($0.status == 503 && $0.retryAfter != nil)) }
        XCTAssertTrue(
            unexpected.isEmpty, "only 200 or 503 with Retry-After are expected: \(unexpected.prefix(5).map(\.summary))\n\(stack.logs())",
            file: file, line: line)
        let limit = FaultStack.dataDeadline + Self.latencyMargin
        let slow = samples.filter { $0.latency > limit }
        XCTAssertTrue(
            slow.isEmpty, "\(slow.count) requests took longer than \(limit): \(slow.prefix(5).map(\.summary))", file: file, line: line)
        let unavailable = samples.filter { $0.status == 503 }
        XCTAssertFalse(unavailable.isEmpty, "no request noticed the outage: the test did not test anything", file: file, line: line)
        let lastFailure = samples.filter { $0.status != 200 }.map(\.finished).max() ?? back
        let recovery = lastFailure > back ? lastFailure - back : .zero
        XCTAssertLessThanOrEqual(recovery, Self.recoveryBound, "still failing \(recovery) after the \(what)", file: file, line: line)
        let slowest503 = unavailable.map(\.latency).max() ?? .zero
        let slowest = samples.map(\.latency).max() ?? .zero
        // Where the slow answers fall, relative to the moment the outage was complete (negative: before it).
        let slowStarts = samples.filter { $0.latency > .milliseconds(250) }.map { FaultStack.ms($0.started - down) }
        print(
            """
            FAULT-METRIC \(what): \(FaultStack.statusCounts(samples)); outage \(FaultStack.ms(back - down)) ms; \
            last failure \(FaultStack.ms(recovery)) ms after it was back; slowest 503 \(FaultStack.ms(slowest503)) ms; \
            slowest request \(FaultStack.ms(slowest)) ms; \(slowStarts.count) answers slower than 250 ms, \
            started at \(slowStarts.sorted().prefix(10)) ms from the outage
            """)
    }
}
