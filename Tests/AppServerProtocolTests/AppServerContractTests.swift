import AppServerProtocol
import Foundation
import RPC
import XCTest

/// The edge↔app-server protocol as the wire sees it, against the committed contract: an edge
/// and app servers of neighbouring versions must keep understanding each other.
final class AppServerContractTests: XCTestCase {
    func testTheAppServerProtocolIsTheCommittedOne() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Shared/AppServerProtocol/app-server.contract").path
        var router = RPCRouter()
        router.register(.handleHTTP) { _, _ in HTTPEnvelopeResponse() }
        let server = RPCServer(transport: InProcessTransport().server, router: router, serviceName: "app")
        let check = try server.contract.checkCommitted(
            at: path,
            header: [
                "The wire contract of the edge↔app-server protocol (worker.http) and the methods every RPC server answers.",
                "Checked by AppServerContractTests. After a deliberate change:",
                "UPDATE_CONTRACTS=1 swift test --filter AppServerContractTests, then commit this file (docs/rpc.md).",
            ])
        XCTAssertTrue(check.isAccepted, "\(check)")
    }
}
