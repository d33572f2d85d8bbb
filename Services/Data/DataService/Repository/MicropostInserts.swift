import Foundation
import Logging
import MicropostsModels
import NIOCore
import PostgresData
import PostgresNIO
import RPC
import Synchronization

/// One create request waiting in a batch. Equal requests stay apart: each is its own post.
struct PendingInsert: Hashable, Sendable {
    let sequence: UInt64
    let request: CreateMicropostRequest

    static func == (lhs: PendingInsert, rhs: PendingInsert) -> Bool { lhs.sequence == rhs.sequence }
    func hash(into hasher: inout Hasher) { hasher.combine(sequence) }
}

/// How one create request of a batch ended.
enum InsertOutcome: Sendable {
    case created(Micropost)
    case failed(RPCError)
}

/// Creates microposts in batches: concurrent creates become one multi-row `INSERT`, so one
/// commit (one WAL flush) serves them all. A batch of one uses the single-row statement.
/// If a batch fails on a value (a constraint the validation missed), its requests are retried
/// one by one, so each caller gets its own answer and the others still succeed.
enum MicropostInserts {
    private static let sequence = Atomic<UInt64>(0)

    static func pending(_ request: CreateMicropostRequest) -> PendingInsert {
        PendingInsert(sequence: sequence.wrappingAdd(1, ordering: .relaxed).newValue, request: request)
    }

    static func run(
        _ batch: [PendingInsert], deadline: NIODeadline?, database: Database, logger: Logger
    ) async throws(RPCError) -> [PendingInsert: InsertOutcome] {
        let budget = database.budget(deadline: deadline)
        guard batch.count > 1 else {
            var outcomes: [PendingInsert: InsertOutcome] = [:]
            for pending in batch { outcomes[pending] = try await single(pending.request, budget, database: database, logger: logger) }
            return outcomes
        }
        do {
            let rows = try await database.withConnection(budget, logger: logger) { connection in
                try await connection.runPrepared(InsertMicroposts(batch.map(\.request)), logger: logger)
            }
            var outcomes: [PendingInsert: InsertOutcome] = [:]
            for row in rows where row.ordinal >= 0 && row.ordinal < batch.count {
                let pending = batch[row.ordinal]
                outcomes[pending] = outcome(
                    of: pending.request, authorExists: row.authorExists, referencedExists: row.referencedExists,
                    id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt)
            }
            return outcomes
        } catch  where error.code == .invalidArgument || error.code == .alreadyExists {
            logger.debug("batched insert refused a value; inserting one by one", metadata: ["error": "\(error)"])
            var outcomes: [PendingInsert: InsertOutcome] = [:]
            for pending in batch {
                do {
                    outcomes[pending] = try await single(pending.request, budget, database: database, logger: logger)
                } catch {
                    outcomes[pending] = .failed(error)
                }
            }
            return outcomes
        }
    }

    private static func single(
        _ request: CreateMicropostRequest, _ budget: CallBudget, database: Database, logger: Logger
    ) async throws(RPCError) -> InsertOutcome {
        let row = try await database.withConnection(budget, logger: logger) { connection in
            try await connection.runPrepared(
                InsertMicropost(author: request.username, text: request.text, referenced: request.referenced), logger: logger
            ).first
        }
        guard let (authorExists, referencedExists, id, createdAt, updatedAt) = row else {
            return .failed(.internal("insert returned no row"))
        }
        return outcome(
            of: request, authorExists: authorExists, referencedExists: referencedExists, id: id, createdAt: createdAt, updatedAt: updatedAt)
    }

    private static func outcome(
        of request: CreateMicropostRequest, authorExists: Bool, referencedExists: Bool, id: Int64?, createdAt: Date?, updatedAt: Date?
    ) -> InsertOutcome {
        guard authorExists else { return .failed(.notFound("no user '\(request.username)'")) }
        if let referenced = request.referenced, !referencedExists {
            return .failed(.invalidArgument("referenced: no user '\(referenced)'"))
        }
        guard let id, let createdAt, let updatedAt else { return .failed(.internal("insert returned no post")) }
        return .created(
            Micropost(
                id: id, author: request.username, text: request.text, referenced: request.referenced, createdAt: createdAt,
                updatedAt: updatedAt))
    }
}
