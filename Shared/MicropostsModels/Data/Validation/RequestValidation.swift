public import RPC

/// A request the data service checks field by field before touching the database.
public protocol ValidatedRequest {
    /// Throws `invalidArgument` naming the first field that is out of bounds.
    func validate() throws(RPCError)
}

extension RegisterUserRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.password(password)
    }
}

extension GetUserRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
    }
}

extension CreateMicropostRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.micropostText(text)
        if let referenced { try DataValidation.username(referenced, field: "referenced") }
    }
}

extension GetMicropostRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.micropostID(id)
    }
}

extension ReplaceMicropostRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.micropostID(id)
        try DataValidation.username(actingUsername, field: "actingUsername")
        try DataValidation.micropostText(text)
        if let referenced { try DataValidation.username(referenced, field: "referenced") }
    }
}

extension PatchMicropostRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.micropostID(id)
        try DataValidation.username(actingUsername, field: "actingUsername")
        if let text { try DataValidation.micropostText(text) }
        if let referenced = referenced.value { try DataValidation.username(referenced, field: "referenced") }
    }
}

extension DeleteMicropostRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.micropostID(id)
        try DataValidation.username(actingUsername, field: "actingUsername")
    }
}

extension UserListRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.page(page)
    }
}

extension SearchMicropostsRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.searchText(text)
        if let username { try DataValidation.usernameFragment(username) }
        try DataValidation.page(page)
    }
}

extension FollowRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.username(username)
        try DataValidation.username(other, field: "other")
    }
}

extension RevokeTokenRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        try DataValidation.tokenID(tokenID)
    }
}

extension CheckRevokedTokensRequest: ValidatedRequest {
    public func validate() throws(RPCError) {
        guard tokenIDs.count <= DataLimits.maximumTokenIDsPerCheck else {
            throw .invalidArgument("tokenIDs: at most \(DataLimits.maximumTokenIDsPerCheck) ids per call")
        }
        for id in tokenIDs { try DataValidation.tokenID(id, field: "tokenIDs") }
    }
}
