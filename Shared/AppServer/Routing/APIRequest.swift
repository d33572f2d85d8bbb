public import Hummingbird

/// A request as a route handler sees it: the HTTP request, its context, its parameters as
/// the route's declaration typed them, and its body read with errors that name the field.
public struct APIRequest: Sendable {
    /// The HTTP request.
    public let request: Request
    /// Who and where the client is, its request id and deadline.
    public let context: AppRequestContext
    /// The route's declared parameters, parsed and checked.
    public let parameters: RouteParameters

    /// A request with its parameters already parsed.
    public init(request: Request, context: AppRequestContext, parameters: RouteParameters) {
        self.request = request
        self.context = context
        self.parameters = parameters
    }

    /// The body's fields, after checking its media type is one of `mediaTypes`.
    public func fields(accepting mediaTypes: [BodyReader.MediaType] = [.json]) async throws -> RequestFields {
        try await BodyReader.fields(of: request, context: context, accepting: mediaTypes)
    }
}
