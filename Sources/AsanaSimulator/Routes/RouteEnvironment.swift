import Hummingbird

/// What every route handler needs: the state, the paginator and response helpers.
struct RouteEnvironment: Sendable {
    /// Asana's base path; everything is served below it.
    static let basePath = "/api/1.0"

    let state: SimulatorState
    let paginator: Paginator
    /// Holds membership writes before they are applied (a test hook; open unless a test closes it).
    let writeGate: WriteGate

    /// The request path relative to `/api/1.0` (`/users`), unchanged when outside it.
    static func relativePath(_ path: String) -> String {
        guard path.hasPrefix(basePath) else { return path }
        let rest = String(path.dropFirst(basePath.count))
        return rest.isEmpty ? "/" : rest
    }

    /// The decoded value of path parameter `name` (emails arrive percent-encoded).
    func parameter(_ name: String, _ context: SimulatorRequestContext) throws(AsanaErrorBody) -> String {
        guard let raw = context.parameters.get(name) else { throw .missing(name) }
        return decodePathSegment(raw)
    }

    /// `opt_fields` if given, else `fallback`.
    func selection(_ query: QueryItems, default fallback: Selection) -> Selection {
        OptFields(query: query["opt_fields"]).map { .fields($0) } ?? fallback
    }

    /// A 200 JSON answer; indented when `opt_pretty` is true (Asana OpenAPI parameter `opt_pretty`).
    func json(_ body: JSONValue, _ query: QueryItems) -> Response {
        let pretty = query["opt_pretty"].map { $0 == "" || $0 == "true" || $0 == "1" } ?? false
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized(pretty: pretty))))
    }

    /// `{"data": value}`.
    func data(_ value: JSONValue, _ query: QueryItems) -> Response {
        json(.object([("data", value)]), query)
    }

    /// One page of a list (see ``Paginator``). `items` gives the list's gids, sorted by ``gidLess(_:_:)`` (an index's
    /// array, or a small filtered list sorted by the route), and the renderer of one gid; it runs under one lock
    /// together with the request's own checks.
    func list(
        _ request: Request,
        _ items: (Storage, Selection) throws(AsanaErrorBody) -> (gids: [String], render: (String) -> JSONValue?)
    ) throws(AsanaErrorBody) -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let path = Self.relativePath(request.uri.path)
        let listKey = Paginator.listKey(path: path, query: query)
        let page = try paginator.parse(query, listKey: listKey)
        let selection = selection(query, default: .compact)
        let body = try state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            let (gids, render) = try items(storage, selection)
            return try paginator.envelope(
                gids, render: render, request: page, path: path, query: query, listKey: listKey, baseURL: storage.baseURL)
        }
        return json(body, query)
    }
}
