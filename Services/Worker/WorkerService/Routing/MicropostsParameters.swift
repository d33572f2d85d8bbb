import AppServer
import MicropostsModels

/// The types of Microposts' path and query parameters: the router checks requests against
/// them and the OpenAPI document describes them, from these declarations alone.
enum MicropostsParameters {
    /// The username rule of ``DataValidation/username(_:field:)``.
    static let usernameType = ParameterType.string(
        length: DataLimits.usernameLength, characters: ASCIICharacters(ranges: ["A"..."Z", "a"..."z", "0"..."9"], singles: "_.-"))

    static let username = Parameter.path("username", usernameType)
    static let other = Parameter.path("other", usernameType)
    static let micropostID = Parameter.path("id", .integer(atLeast: 1))

    static let page = Parameter.query(
        "page", .integer(Int64(DataLimits.pageNumber.lowerBound)...Int64(DataLimits.pageNumber.upperBound)),
        description: "Page number, from 1. page × size may reach at most the data service's result window "
            + "(--max-result-window, 10000 by default); deeper pages are answered 400.",
        default: 1)
    static let size = Parameter.query(
        "size", .integer(Int64(DataLimits.pageSize.lowerBound)...Int64(DataLimits.pageSize.upperBound)),
        description: "Items per page.", default: Int64(DataLimits.defaultPageSize))
    static let paged = [page, size]

    static let searchText = Parameter.query(
        "text", .string(length: DataLimits.searchTextLength), description: "Text the micropost contains (case-insensitive).",
        required: true)
    static let authorFragment = Parameter.query(
        "username", .string(length: DataLimits.usernameLength),
        description: "Only authors whose username contains this (case-insensitive).")
}
