import Hummingbird

extension MicropostsAPI {
    /// `GET /api/openapi.json`; its server URL is the origin the client used.
    func openAPI(_ call: APIRequest) async throws -> Response {
        let document = OpenAPIDocument.make(routes: routes, serverURL: call.links.origin.baseURL)
        return JSONResponse.make(status: .ok, body: document)
    }
}
