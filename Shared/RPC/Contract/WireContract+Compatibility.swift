// The evolution rules. During a rolling upgrade old and new code talk in both directions
// (an old client calls a new server and a new client an old one), so every message must stay
// readable both ways; the rules do not distinguish requests from responses.
//
// Compatible: a new method; a new field that is optional, repeated or `required: false`; a
// removed field that was not required (its tag is retired); a required field becoming
// `required: false`; a new enum case; a method that stops answering an error; renaming a
// message type (names of types are not on the wire); idempotency (not on the wire).
//
// Incompatible: a removed method (a new version of a method is a new method: serve both until
// no caller uses the old one); a new or removed required field; a
// field renamed (JSON and the contract name it), retyped (signedness and width included) or
// changing presence otherwise; a retired tag reused; an enum case removed, renumbered or
// renamed; a method answering an error it did not declare before.

extension WireContract {
    /// What in this contract breaks a peer built from `previous`, one line per problem naming
    /// the method and the field. Empty when this contract may be deployed beside it.
    public func problems(comparedWith previous: WireContract) -> [String] {
        var problems = declarationProblems
        for name in previous.methods.keys.sorted() {
            guard let old = previous.methods[name] else { continue }
            guard let new = methods[name] else {
                problems.append("method \(name): removed, but callers of the previous version still send it")
                continue
            }
            for error in new.errors where !old.errors.contains(error) {
                problems.append("method \(name): may now answer \(error), which callers of the previous version do not handle")
            }
            var comparison = Comparison(old: previous, new: self)
            comparison.compare(.message(old.request), .message(new.request), at: "method \(name) request")
            comparison.compare(.message(old.response), .message(new.response), at: "method \(name) response")
            problems += comparison.problems
        }
        return problems
    }

    private struct Comparison {
        let old: WireContract
        let new: WireContract
        var problems: [String] = []
        /// Pairs of types already compared, so that a recursive type ends.
        var compared: Set<[String]> = []

        init(old: WireContract, new: WireContract) {
            self.old = old
            self.new = new
        }

        mutating func compare(_ oldType: WireValueType, _ newType: WireValueType, at path: String) {
            switch (oldType, newType) {
            case (.message(let oldName), .message(let newName)):
                compareMessages(oldName, newName, at: path)
            case (.enumeration(let oldName), .enumeration(let newName)):
                compareEnums(oldName, newName, at: path)
            default:
                if oldType != newType { problems.append("\(path): type \(oldType) became \(newType)") }
            }
        }

        private mutating func compareMessages(_ oldName: String, _ newName: String, at path: String) {
            guard compared.insert([oldName, newName]).inserted else { return }
            guard let oldMessage = old.messages[oldName], let newMessage = new.messages[newName] else {
                problems.append("\(path): message \(oldName) or \(newName) is not described")
                return
            }
            let newByTag = Dictionary(newMessage.fields.map { ($0.tag, $0) }, uniquingKeysWith: { first, _ in first })
            let oldTags = Set(oldMessage.fields.map(\.tag))
            for oldField in oldMessage.fields {
                let fieldPath = "\(path) field \(oldField.name) (\(oldField.tag))"
                guard let newField = newByTag[oldField.tag] else {
                    if oldField.presence == .required {
                        problems.append(
                            "\(fieldPath): a required field was removed; peers of the previous version refuse messages without it")
                    }
                    continue
                }
                if newField.name != oldField.name {
                    problems.append("\(fieldPath): renamed to \(newField.name); JSON and the contract name fields")
                }
                if newField.presence != oldField.presence && !(oldField.presence == .required && newField.presence == .defaulted) {
                    problems.append("\(fieldPath): \(oldField.presence) became \(newField.presence)")
                }
                compare(oldField.type, newField.type, at: fieldPath)
            }
            let retired = old.retiredTags[oldName, default: []]
            for newField in newMessage.fields where !oldTags.contains(newField.tag) {
                let fieldPath = "\(path) field \(newField.name) (\(newField.tag))"
                if retired.contains(newField.tag) {
                    problems.append(
                        "\(fieldPath): tag \(newField.tag) is retired; peers of the previous version read it with its old meaning")
                } else if newField.presence == .required {
                    problems.append(
                        "\(fieldPath): a new required field; peers of the previous version do not send it (make it optional or required: false)"
                    )
                }
            }
        }

        private mutating func compareEnums(_ oldName: String, _ newName: String, at path: String) {
            guard compared.insert([oldName, newName]).inserted else { return }
            guard let oldEnum = old.enums[oldName], let newEnum = new.enums[newName] else {
                problems.append("\(path): enum \(oldName) or \(newName) is not described")
                return
            }
            let newByNumber = Dictionary(newEnum.cases.map { ($0.number, $0.name) }, uniquingKeysWith: { first, _ in first })
            for oldCase in oldEnum.cases {
                guard let newCaseName = newByNumber[oldCase.number] else {
                    problems.append("\(path): enum \(oldName) case \(oldCase.name) (\(oldCase.number)) was removed")
                    continue
                }
                if newCaseName != oldCase.name {
                    problems.append("\(path): enum \(oldName) case \(oldCase.number) renamed from \(oldCase.name) to \(newCaseName)")
                }
            }
            if oldEnum.unknownCase != newEnum.unknownCase {
                problems.append("\(path): enum \(oldName) falls back to \(newEnum.unknownCase) instead of \(oldEnum.unknownCase)")
            }
        }
    }
}
