/// `{"username": "ana", "collection": "https://…/api/users/ana/collection"}`
struct UserBody: JSONWritable, Sendable {
    var username: String
    var collection: String

    init(username: String, links: LinkBuilder) {
        self.username = username
        collection = links.collection(username)
    }

    func writeJSON(to output: inout JSONOutput) {
        output.key("collection", first: true)
        output.string(collection)
        output.key("username")
        output.string(username)
        output.endObject()
    }
}
