import MicropostsModels
import RPC

extension PageRequest {
    /// The page's items out of a newest-first sequence, read one beyond the page so that
    /// `hasNext` is exact, as the real service's `LIMIT size + 1 OFFSET …` does. The page must
    /// be validated, which keeps the offset from overflowing.
    func slice<Item>(_ newestFirst: some Sequence<Item>) -> Page<Item> {
        let window = Array(newestFirst.dropFirst((page - 1) * size).prefix(size + 1))
        return Page(items: Array(window.prefix(size)), hasNext: window.count > size)
    }

    /// Refuses pages beyond the result window with the real service's words.
    func checkDepth(maximumResultWindow: Int) throws(RPCError) {
        guard page * size > maximumResultWindow else { return }
        throw .invalidArgument(
            "page: page × size must be at most \(maximumResultWindow) (the result window); "
                + "page \(page) of size \(size) reaches item \(page * size). Narrow the query instead.")
    }
}
