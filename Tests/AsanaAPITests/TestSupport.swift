import Logging
import Synchronization

@testable import AsanaAPI

/// A scripted ``AsanaTransport``: answers requests from a queue and records every request.
final class FakeTransport: AsanaTransport {
    enum Reply: Sendable {
        case response(AsanaHTTPResponse)
        case failure(any Error)
    }

    struct NoScriptedReply: Error, CustomStringConvertible {
        let url: String
        var description: String { "no scripted reply for \(url)" }
    }

    private struct State {
        var replies: [Reply]
        var requests: [AsanaHTTPRequest] = []
    }

    private let state: Mutex<State>

    init(_ replies: [Reply]) {
        state = Mutex(State(replies: replies))
    }

    func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse {
        let reply: Reply? = state.withLock { state in
            state.requests.append(request)
            return state.replies.isEmpty ? nil : state.replies.removeFirst()
        }
        switch reply {
        case .response(let response): return response
        case .failure(let error): throw error
        case nil: throw NoScriptedReply(url: request.url)
        }
    }

    /// Requests received so far, in order.
    var requests: [AsanaHTTPRequest] { state.withLock { $0.requests } }
    /// URLs received so far, in order.
    var urls: [String] { requests.map(\.url) }
    /// Replies not used yet.
    var remainingReplies: Int { state.withLock { $0.replies.count } }
}

extension FakeTransport.Reply {
    /// A JSON answer.
    static func json(_ status: Int = 200, _ text: String, headers: [(String, String)] = []) -> Self {
        .response(
            AsanaHTTPResponse(
                status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8)))
    }

    /// Asana's error body with one or more messages (https://developers.asana.com/docs/errors).
    static func asanaError(_ status: Int, _ messages: [String], phrase: String? = nil, headers: [(String, String)] = [])
        -> Self
    {
        let entries = messages.enumerated().map { index, message in
            let phraseField = (index == 0 ? phrase : nil).map { #","phrase":"\#($0)""# } ?? ""
            return #"{"message":"\#(message)","help":"see docs"\#(phraseField)}"#
        }
        return .json(status, #"{"errors":[\#(entries.joined(separator: ","))]}"#, headers: headers)
    }

    /// Asana's standard 429 answer, optionally with `Retry-After` (https://developers.asana.com/docs/rate-limits).
    static func rateLimited(retryAfter: String?) -> Self {
        asanaError(
            429,
            ["You've made too many requests and hit a rate limit. Please retry after the given amount of time."],
            headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
    }

    /// `{"data": <object>}`.
    static func data(_ object: String) -> Self { .json(200, #"{"data":\#(object)}"#) }

    /// A list page; `next` = nil gives `"next_page": null`.
    static func page(_ items: [String], next: String?) -> Self {
        let nextPage = next.map { #"{"offset":"\#($0)","path":"/x?offset=\#($0)","uri":"https://x/\#($0)"}"# } ?? "null"
        return .json(200, #"{"data":[\#(items.joined(separator: ","))],"next_page":\#(nextPage)}"#)
    }
}

/// A compact user record as JSON text.
func userJSON(_ gid: String, _ name: String) -> String {
    #"{"gid":"\#(gid)","resource_type":"user","name":"\#(name)"}"#
}

/// Records the durations the client asks to sleep, without sleeping.
final class SleepRecorder: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var sleeps: [Duration] { recorded.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in recorded.withLock { $0.append(duration) } }
    }
}

let testToken = "2/1204998877665544/1205112233445566:0f1e2d3c4b5a69788796a5b4c3d2e1f0"
let asanaBase = "https://app.asana.com/api/1.0"

/// A client over `transport` with recorded sleeps and a silent logger.
func makeClient(
    _ transport: FakeTransport,
    configuration: AsanaClientConfiguration = .init(),
    recorder: SleepRecorder = SleepRecorder(),
    logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
) -> AsanaClient {
    AsanaClient(
        token: testToken, configuration: configuration, transport: transport, logger: logger, sleep: recorder.sleep)
}
