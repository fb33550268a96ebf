/// One HTTP answer as an ``AsanaTransport`` returns it: status, headers and the whole body.
public struct AsanaHTTPResponse: Sendable {
    /// HTTP status code, e.g. 200, 429, 503.
    public var status: Int
    /// Header fields as received; look them up with ``header(_:)``.
    public var headers: [(String, String)]
    /// The complete body bytes (UTF-8 JSON from Asana).
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively (ASCII), or `nil`.
    /// Example: `response.header("retry-after")` finds `Retry-After: 7`.
    public func header(_ name: String) -> String? {
        headerValue(name, in: headers)
    }
}
