/// One HTTP request as ``AsanaClient`` hands it to an ``AsanaTransport``.
public struct AsanaHTTPRequest: Sendable {
    /// HTTP method: `"GET"` or `"POST"` (the only ones ``AsanaClient`` sends).
    public var method: String
    /// Absolute URL with its query already percent-encoded,
    /// e.g. `https://app.asana.com/api/1.0/users?workspace=1&limit=100`.
    public var url: String
    /// Header fields in sending order, e.g. `("Authorization", "Bearer …")`.
    /// Holds the bearer token: never log this value.
    public var headers: [(String, String)]
    /// Body bytes (JSON for POST), or `nil` for no body.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively (ASCII), or `nil`.
    public func header(_ name: String) -> String? {
        headerValue(name, in: headers)
    }
}

/// First value of header `name` in `headers`, case-insensitively (HTTP field names are ASCII).
func headerValue(_ name: String, in headers: [(String, String)]) -> String? {
    let wanted = name.lowercased()
    return headers.first { $0.0.lowercased() == wanted }?.1
}
