import Foundation
import MicropostsInMemoryData
import MicropostsModels
import RPC
import XCTest

/// The in-memory data service stands in for the real one, so it must serve the real one's
/// committed contract exactly (it never rewrites the file: the real service owns it).
final class InMemoryContractTests: XCTestCase {
    func testTheInMemoryDataServiceServesTheCommittedDataContract() throws {
        let committedPath = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Shared/MicropostsModels/microposts-data.contract").path
        let server = RPCServer(transport: InProcessTransport().server, router: InMemoryData().makeRouter(), serviceName: "data")
        let committed = try WireContract(text: String(contentsOfFile: committedPath, encoding: .utf8))
        var served = server.contract.retiring(from: committed)
        served.retiredTags = committed.retiredTags
        XCTAssertEqual(served.rendered(), committed.rendered())
    }
}
