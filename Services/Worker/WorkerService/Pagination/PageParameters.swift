import AppServer
import MicropostsModels

/// `page` (from 1) and `size` (default 20, at most 100) of a list request, as the route's
/// ``MicropostsParameters/paged`` declaration checked them.
struct PageParameters: Sendable, Equatable {
    var page: Int
    var size: Int

    init(_ parameters: RouteParameters) throws(APIError) {
        page = Int(try parameters.integer("page"))
        size = Int(try parameters.integer("size"))
    }

    var request: PageRequest { PageRequest(page: page, size: size) }
}
