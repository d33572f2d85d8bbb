import AppServer

/// `{"username": "ana", "collection": "https://…/api/users/ana/collection"}`
struct UserBody: JSONWritable, Sendable {
    var username: String
    var collection: String

    init(username: String, links: LinkBuilder) {
        self.username = username
        collection = links.collection(username)
    }

    var jsonCapacity: Int {
        // 27 bytes of keys and punctuation.
        27 + ByteWriter.maximumJSONLength(collection) + ByteWriter.maximumJSONLength(username)
    }

    func writeJSON(to output: inout JSONOutput) {
        output.write(atMost: jsonCapacity) { writer in
            writer.literal(#"{"collection":"#)
            writer.jsonString(collection)
            writer.literal(#","username":"#)
            writer.jsonString(username)
            writer.byte(UInt8(ascii: "}"))
        }
    }
}
