import Hummingbird
import MicropostsModels

/// `page` (from 1) and `size` (default 20, at most 100) of a list request.
struct PageParameters: Sendable, Equatable {
    var page: Int
    var size: Int

    init(_ query: QueryParameters) throws(APIError) {
        page = try query.int("page", in: DataLimits.pageNumber, default: 1)
        size = try query.int("size", in: DataLimits.pageSize, default: DataLimits.defaultPageSize)
    }

    var request: PageRequest { PageRequest(page: page, size: size) }
}
