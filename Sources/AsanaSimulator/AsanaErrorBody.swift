import Hummingbird

/// An Asana error answer: status code, optional extra headers and the body
/// `{"errors":[{"message":…,"help":…,"phrase":…}]}` (https://developers.asana.com/docs/errors).
///
/// `help` is sent on every error (real 4xx answers carry it, per third-party captured responses);
/// `phrase` is sent on 500 only, as Asana documents (Asana OpenAPI schema `Error.phrase`).
/// Thrown by route handlers and rendered by ``SimulatorMiddleware``.
struct AsanaErrorBody: Error, HTTPResponseError, Sendable {
    /// Asana's fixed `help` text.
    static let helpText =
        "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"
    /// Asana's rate-limit message (https://developers.asana.com/docs/rate-limits).
    static let rateLimitMessage =
        "You've made too many requests and hit a rate limit. Please retry after the given amount of time."
    /// Asana's message for an unpaginated list over 1000 objects (https://developers.asana.com/docs/pagination; text from the Asana/node-asana README).
    static let tooLargeMessage =
        "The result is too large. You should use pagination (may require specifying a workspace)!"

    let status: HTTPResponse.Status
    let message: String
    let phrase: String?
    /// `Retry-After` header value in seconds, sent when not nil (429 answers, https://developers.asana.com/docs/rate-limits).
    let retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ message: String, phrase: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.phrase = phrase
        self.retryAfter = retryAfter
    }

    /// 400 with `message`.
    static func badRequest(_ message: String) -> AsanaErrorBody { .init(.badRequest, message) }
    /// 403 with `message`.
    static func forbidden(_ message: String) -> AsanaErrorBody { .init(.forbidden, message) }
    /// 404 with `message`.
    static func notFound(_ message: String) -> AsanaErrorBody { .init(.notFound, message) }
    /// 401 `Not Authorized` (https://developers.asana.com/docs/errors).
    static let notAuthorized = AsanaErrorBody(.unauthorized, "Not Authorized")
    /// 401 for an OAuth access token past its lifetime (https://github.com/Asana/python-asana/issues/108: the message contains
    /// "The bearer token has expired"; the rest of the wording chosen).
    static let tokenExpired = AsanaErrorBody(.unauthorized, "The bearer token has expired. Please refresh it to get a new one.")
    /// A value that names no object: `"<param>: Not a recognized ID: <value>"` (format seen in third-party captures of Asana answers).
    static func notRecognized(_ parameter: String, _ value: String, status: HTTPResponse.Status = .badRequest) -> AsanaErrorBody {
        .init(status, "\(parameter): Not a recognized ID: \(value)")
    }
    /// A required parameter is absent: `"<param>: Missing input"` (https://developers.asana.com/docs/errors).
    static func missing(_ parameter: String) -> AsanaErrorBody { .badRequest("\(parameter): Missing input") }

    /// The JSON body.
    var body: JSONValue {
        var entry: [(String, JSONValue)] = [("message", .string(message)), ("help", .string(Self.helpText))]
        if let phrase { entry.append(("phrase", .string(phrase))) }
        return .object([("errors", .array([.object(entry)]))])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    /// The HTTP response for this error.
    func makeResponse() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }
}
