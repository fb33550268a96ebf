import Foundation
import Hummingbird

/// The body of a membership write: `{"data": {"user": "<gid|email|me>"}, "options": {"fields": [...]}}`
/// (Asana OpenAPI `addUser`/`removeUser` operations; `options`: Asana/developer-docs `_input-output-options.html.md`), or the form-encoded `user=…&opt_fields=…`.
///
/// - Top-level keys other than `data` and `options` → 400 (seen in a third-party capture, not documented by Asana; message chosen).
/// - Not JSON → 400 (chosen message); missing `data.user` → 400 `user: Missing input` (format of https://developers.asana.com/docs/errors).
/// - Output fields: the `opt_fields` query parameter wins over `options.fields`.
struct WriteRequest: Sendable {
    /// The `user` value as sent.
    var user: String
    /// `opt_fields` / `options.fields`, nil when neither was sent.
    var optFields: OptFields?

    /// Bodies over this many bytes are refused with 413 (chosen).
    static let maxBodyBytes = 1 << 20

    static func parse(_ request: Request, query: QueryItems) async throws -> WriteRequest {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        let bytes = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        var user: String?
        var fields: OptFields?
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            let form = QueryItems(rawQuery: String(decoding: bytes, as: UTF8.self))
            user = form["user"]
            fields = OptFields(query: form["opt_fields"])
        } else if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            let json: JSONValue
            do {
                json = try JSONValue.parse(bytes)
            } catch {
                throw AsanaErrorBody.badRequest("Could not parse request data, invalid JSON")
            }
            guard case .object(let top) = json else {
                throw AsanaErrorBody.badRequest("Request data must be a JSON object with \"data\" at the top level")
            }
            let unexpected = top.map(\.0).filter { $0 != "data" && $0 != "options" }
            guard unexpected.isEmpty else {
                throw AsanaErrorBody.badRequest(
                    "Invalid field(s) \(unexpected.sorted().joined(separator: ", ")): only \"data\" and \"options\" are allowed at the top level. Did you forget to wrap your properties in \"data\"?"
                )
            }
            if let data = json["data"] {
                guard case .object = data else { throw AsanaErrorBody.badRequest("data: Value is not an object") }
                user = data["user"]?.stringValue
            }
            if case .array(let list)? = json["options"]?["fields"] {
                fields = OptFields(list: list.compactMap(\.stringValue))
            }
        }
        if let fromQuery = OptFields(query: query["opt_fields"]) { fields = fromQuery }
        guard let user, !user.trimmingCharacters(in: .whitespaces).isEmpty else { throw AsanaErrorBody.missing("user") }
        return WriteRequest(user: user.trimmingCharacters(in: .whitespaces), optFields: fields)
    }
}
