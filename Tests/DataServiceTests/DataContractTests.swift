import MicropostsModels
import NIOCore
import RPC
import XCTest

/// The running data service's wire contract against the committed one: a change that would
/// break a worker of the previous version fails here, naming the method and the field.
final class DataContractTests: XCTestCase {
    static let committedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Shared/MicropostsModels/microposts-data.contract").path
    static let header = [
        "The wire contract of the Microposts data service: every method and message as peers see them.",
        "Checked by DataContractTests against the running service. After a deliberate change:",
        "UPDATE_CONTRACTS=1 swift test --filter DataContractTests, then commit this file (docs/rpc.md).",
    ]

    func testTheServedContractIsTheCommittedOne() async throws {
        try await withDataService { service in
            let answer = try await service.call(.contract, MethodListRequest())
            let served = try WireContract(text: answer.text)
            let check = try served.checkCommitted(at: Self.committedPath, header: Self.header)
            XCTAssertTrue(check.isAccepted, "\(check)")
            XCTAssertTrue(served.methods.keys.contains("microposts.create"))
        }
    }
}
