#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How a contract compares with the one committed beside the code.
public enum CommittedContractCheck: Equatable, Sendable, CustomStringConvertible {
    /// The file says exactly what the code serves.
    case unchanged
    /// The file was (re)written, as asked by `UPDATE_CONTRACTS=1`.
    case written
    /// The code changed the contract compatibly; the file should record it.
    case compatibleButNotRecorded
    /// The code breaks a peer built from the committed contract.
    case incompatible([String])
    /// There is no committed contract yet.
    case missing

    public var description: String {
        switch self {
        case .unchanged: "the contract is unchanged"
        case .written: "the contract file was written"
        case .compatibleButNotRecorded:
            "the contract changed compatibly but the file does not say so: rerun with UPDATE_CONTRACTS=1 and commit the file"
        case .incompatible(let problems):
            "the contract changed incompatibly with the committed file:\n  " + problems.joined(separator: "\n  ")
                + "\nIf this is deliberate (every peer of the previous version is gone), rerun with UPDATE_CONTRACTS=1 and commit the file."
        case .missing: "no committed contract: run with UPDATE_CONTRACTS=1 and commit the file"
        }
    }

    /// True for `unchanged` and `written`: what a test should accept.
    public var isAccepted: Bool { self == .unchanged || self == .written }
}

extension WireContract {
    /// Compares this contract (what the code serves) with the file committed at `path`, and
    /// rewrites the file when `update` is set, which defaults to the environment variable
    /// `UPDATE_CONTRACTS=1`: the deliberate step that records a change.
    public func checkCommitted(at path: String, header: [String], update: Bool? = nil) throws -> CommittedContractCheck {
        let update = update ?? (ProcessInfo.processInfo.environment["UPDATE_CONTRACTS"] == "1")
        let url = URL(fileURLWithPath: path)
        guard let data = try? Data(contentsOf: url) else {
            guard update else { return .missing }
            try Data(rendered(header: header).utf8).write(to: url)
            return .written
        }
        let committedText = String(decoding: data, as: UTF8.self)
        let committed = try WireContract(text: committedText)
        let next = retiring(from: committed)
        let nextText = next.rendered(header: header)
        if nextText == committedText { return .unchanged }
        if update {
            try Data(nextText.utf8).write(to: url)
            return .written
        }
        let problems = problems(comparedWith: committed)
        return problems.isEmpty ? .compatibleButNotRecorded : .incompatible(problems)
    }
}
