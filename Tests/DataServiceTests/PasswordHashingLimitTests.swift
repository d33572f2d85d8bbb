import MicropostsModels
import NIOConcurrencyHelpers
import RPC
import XCTest

@testable import DataService

/// The hashing gate: a few hashes at once, a short queue, fast refusals beyond it; and every
/// login that could match an account costs a hash, whether or not the account exists.
final class PasswordHashingLimitTests: XCTestCase {
    /// Holds `count` of the gate's slots until the returned task is cancelled or `duration` ends.
    private func occupy(_ gate: HashingGate, slots count: Int, for duration: Duration) async throws -> Task<Void, Never> {
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask { _ = try? await gate.run { try await Task.sleep(for: duration) } }
                }
            }
        }
        let until = ContinuousClock.now + .seconds(5)
        while gate.load.running + gate.load.waiting < count, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(5))
        }
        return task
    }

    func testBeyondTheQueueCallsAreRefusedAtOnceAndQueuedOnesFinish() async throws {
        try await withDataService(configure: {
            $0.passwordHashConcurrency = 1
            $0.passwordHashQueue = 1
        }) { service in
            let gate = service.components.users.hasher.gate
            let busy = try await occupy(gate, slots: 1, for: .milliseconds(800))
            let queued = Task { try await service.call(.registerUser, RegisterUserRequest(username: "ana", password: "password123")) }
            let until = ContinuousClock.now + .seconds(5)
            while gate.load.waiting < 1, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(5)) }
            XCTAssertEqual(gate.load.waiting, 1)

            let started = ContinuousClock.now
            await assertRPCError(.unavailable, messageContains: "saturated") {
                try await service.call(.registerUser, RegisterUserRequest(username: "bob", password: "password123"))
            }
            await assertRPCError(.unavailable, messageContains: "saturated") {
                try await service.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "password123"))
            }
            XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(500), "refusals must not wait for a slot")

            let registered = try await queued.value
            XCTAssertEqual(registered, User(username: "ana"))
            busy.cancel()
        }
    }

    /// With the gate full, a login needs a slot exactly when it would hash: for an existing
    /// account and for an unknown name alike (same work, so same time), but not for a name that
    /// no account can have.
    func testUnknownUsersCostAHashLikeKnownOnes() async throws {
        try await withDataService(configure: {
            $0.passwordHashConcurrency = 1
            $0.passwordHashQueue = 0
        }) { service in
            try await service.register("ana")
            let gate = service.components.users.hasher.gate
            let busy = try await occupy(gate, slots: 1, for: .seconds(5))
            for username in ["ana", "zed"] {
                await assertRPCError(.unavailable, messageContains: "saturated") {
                    try await service.call(.logIn, VerifyCredentialsRequest(username: username, password: "wrong password"))
                }
            }
            assertEqual(
                try await service.call(.logIn, VerifyCredentialsRequest(username: "not a name", password: "wrong password")), .refused)
            busy.cancel()
            _ = await busy.value
            for username in ["ana", "zed"] {
                assertEqual(
                    try await service.call(.logIn, VerifyCredentialsRequest(username: username, password: "wrong password")), .refused)
            }
        }
    }

    func testAWaiterThatIsCancelledLeavesTheQueueAndSlotsGoInArrivalOrder() async throws {
        let gate = HashingGate(concurrency: 1, queueLimit: 3)
        let busy = try await occupy(gate, slots: 1, for: .seconds(5))
        let cancelled = Task { try await gate.run { "cancelled" } }
        let until = ContinuousClock.now + .seconds(5)
        while gate.load.waiting < 1, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(5)) }
        cancelled.cancel()
        do {
            _ = try await cancelled.value
            XCTFail("a cancelled waiter ran")
        } catch is CancellationError {}
        XCTAssertEqual(gate.load.waiting, 0)

        let order = OrderRecorder()
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<3 {
            waiters.append(Task { try await gate.run { order.append(index) } })
            while gate.load.waiting < index + 1, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(5)) }
        }
        busy.cancel()
        for waiter in waiters { try await waiter.value }
        XCTAssertEqual(order.values, [0, 1, 2])
        XCTAssertEqual(gate.load.running, 0)
    }
}

private final class OrderRecorder: Sendable {
    private let recorded = NIOLockedValueBox<[Int]>([])
    func append(_ value: Int) { recorded.withLockedValue { $0.append(value) } }
    var values: [Int] { recorded.withLockedValue { $0 } }
}
