/// The limits a server applies to a connection (protocol.md §7), as `ping` publishes them so a client can
/// size its lines and batches before sending: `{authenticated, unauthenticated, jsonDepth, connections}`.
public struct ServerLimits: Codable, Sendable, Equatable {
    /// Limits of a connection with an identity (a mapped client certificate or a token).
    public var authenticated: ConnectionLimits
    /// Limits of a connection without one (also after its token was revoked or expired).
    public var unauthenticated: ConnectionLimits
    /// Deepest nesting of arrays and objects in a line (`limit.json_depth`).
    public var jsonDepth: Int
    /// Connections the server holds at once (`limit.connections`).
    public var connections: Int

    public init(authenticated: ConnectionLimits, unauthenticated: ConnectionLimits, jsonDepth: Int, connections: Int) {
        self.authenticated = authenticated
        self.unauthenticated = unauthenticated
        self.jsonDepth = jsonDepth
        self.connections = connections
    }
}

/// What one connection may send and be sent.
public struct ConnectionLimits: Codable, Sendable, Equatable {
    /// Bytes in one line, LF excluded (`limit.line_bytes`).
    public var lineBytes: Int
    /// Elements of one batch (`limit.batch_length`).
    public var batchLength: Int
    /// JSON values (every scalar, array and object) in one line (`limit.json_values`).
    public var jsonValues: Int
    /// Lines a second; `null`: not limited.
    @Nullable public var linesPerSecond: Int?
    /// Requests running at once; further ones wait unread.
    public var inFlight: Int
    /// Bytes of one answer line (`limit.answer_bytes`).
    public var answerBytes: Int
    /// Bytes of answers the server holds for a client that does not read them before it stops reading its requests.
    public var queuedBytes: Int

    public init(lineBytes: Int, batchLength: Int, jsonValues: Int, linesPerSecond: Int?, inFlight: Int, answerBytes: Int, queuedBytes: Int) {
        self.lineBytes = lineBytes
        self.batchLength = batchLength
        self.jsonValues = jsonValues
        self.linesPerSecond = linesPerSecond
        self.inFlight = inFlight
        self.answerBytes = answerBytes
        self.queuedBytes = queuedBytes
    }
}
