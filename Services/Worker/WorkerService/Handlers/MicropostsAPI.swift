/// What the route handlers need: the data service, token verification and issuing.
/// The handlers are its methods, one file per resource; `Routing/Routes.swift` maps them to
/// methods and paths.
struct MicropostsAPI: Sendable {
    let data: DataClient
    let authenticator: Authenticator
    let issuer: TokenIssuer
    let openAPIDocuments = OpenAPIDocumentCache()

    var revocations: RevocationCache { authenticator.revocations }
}
