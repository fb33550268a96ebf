/// The HTTP seam under ``AsanaClient``: sends one request, returns the raw answer.
///
/// Production uses ``HTTPClientAsanaTransport``; unit tests script responses with a fake.
/// A transport does no retrying and does not interpret status codes: every HTTP answer,
/// 4xx and 5xx included, is returned, so the client can read `Retry-After` and error bodies
/// (https://github.com/Asana/php-asana/issues/63).
public protocol AsanaTransport: Sendable {
    /// Sends `request` once.
    ///
    /// - Returns: the status, headers and complete body of the answer.
    /// - Throws: ``AsanaAPIError/transport(_:)`` when no HTTP answer arrived (connection refused,
    ///   timeout, reset), ``AsanaAPIError/malformedResponse(_:)`` for a body over the size limit,
    ///   or `CancellationError`. Any other error is treated by ``AsanaClient`` as a transport failure.
    func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse
}
