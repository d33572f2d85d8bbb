import MicropostsModels

/// The rows a page request asks for: one beyond the page, so `hasNext` is known without a count.
struct PageWindow: Hashable, Sendable {
    let size: Int
    let limit: Int
    let offset: Int

    /// `page` must be validated (``DataValidation/page(_:)``), which keeps the offset from overflowing.
    init(_ page: PageRequest) {
        size = page.size
        limit = page.size + 1
        offset = (page.page - 1) * page.size
    }

    func page<Item>(of rows: [Item]) -> Page<Item> {
        Page(items: Array(rows.prefix(size)), hasNext: rows.count > size)
    }
}
