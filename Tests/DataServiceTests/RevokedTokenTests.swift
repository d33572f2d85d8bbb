import MicropostsModels
import PostgresData
import PostgresNIO
import RPC
import XCTest

@testable import DataService

final class RevokedTokenTests: XCTestCase {
    func testRevokedTokensAreReportedUntilTheyExpire() async throws {
        try await withDataService { service in
            let later = Date().addingTimeInterval(3600)
            _ = try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "t1", expiresAt: later))
            _ = try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "t1", expiresAt: later))
            _ = try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "expired", expiresAt: Date().addingTimeInterval(-1)))
            let answer = try await service.call(.checkRevokedTokens, CheckRevokedTokensRequest(tokenIDs: ["t1", "t2", "expired"]))
            XCTAssertEqual(answer.revokedIDs, ["t1"])
            assertEqual(try await service.call(.checkRevokedTokens, CheckRevokedTokensRequest(tokenIDs: [])).revokedIDs, [])
        }
    }

    func testExpiredRowsAreDeleted() async throws {
        try await withDataService { service in
            _ = try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "old", expiresAt: Date().addingTimeInterval(-60)))
            _ = try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "live", expiresAt: Date().addingTimeInterval(60)))
            let deleted = try await service.components.cleanup.tokens.deleteExpired(DatabaseCall(deadline: nil, logger: quietLogger))
            XCTAssertEqual(deleted, 1)
            let remaining = try await service.withDirectClient { client in
                try await client.query("SELECT token_id FROM revoked_tokens").collect().map { try $0.decode(String.self) }
            }
            XCTAssertEqual(remaining, ["live"])
        }
    }

    func testTokenValidation() async throws {
        try await withDataService { service in
            await assertRPCError(.invalidArgument, messageContains: "tokenID") {
                try await service.call(.revokeToken, RevokeTokenRequest(tokenID: "", expiresAt: Date()))
            }
            await assertRPCError(.invalidArgument, messageContains: "tokenIDs") {
                try await service.call(.checkRevokedTokens, CheckRevokedTokensRequest(tokenIDs: (0...100).map { "t\($0)" }))
            }
        }
    }
}
