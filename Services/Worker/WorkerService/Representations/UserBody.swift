/// `{"username": "ana", "collection": "https://…/api/users/ana/collection"}`
struct UserBody: Encodable, Sendable {
    var username: String
    var collection: String

    init(username: String, links: LinkBuilder) {
        self.username = username
        collection = links.collection(username)
    }
}
