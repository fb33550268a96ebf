import AccessMetrics
import AccessProtocol
import Logging

/// Runs requests against a method table and shapes the answers; every call it answers is counted and
/// timed (``RPCCallMetrics``) and written to the access log (one info line: connection, principal,
/// method, outcome, code, duration; never a param).
struct RPCDispatcher: Sendable {
    let methods: RPCMethodTable
    let metrics: RPCCallMetrics

    init(methods: RPCMethodTable) {
        self.methods = methods
        self.metrics = RPCCallMetrics(methodNames: methods.all.map(\.name))
    }

    /// Answers one entry of a line; `nil` for a notification (which still runs).
    func answer(_ entry: RPCIncomingEntry, context: RPCRequestContext) async -> RPCResponse? {
        switch entry {
        case .invalid(let id, let error):
            return RPCResponse(id: id, outcome: .error(error))
        case .request(let request):
            let start = ContinuousClock.now
            let outcome: RPCResponse.Outcome
            switch admit(request, context: context) {
            case .refused(let error): outcome = .error(error)
            case .run(let method, let scoped):
                do {
                    outcome = .result(try await method.invoke(scoped, request.paramsText))
                } catch {
                    outcome = failure(error, scoped)
                }
            }
            account(request.method, outcome, context, since: start)
            guard let id = request.id else { return nil }
            return RPCResponse(id: id, outcome: outcome)
        }
    }

    /// `true` when every entry of `message` can be answered at once, on the event loop: invalid
    /// entries, unknown methods and immediate methods (``RPCMethodTable/Method/isImmediate``).
    func answersAtOnce(_ message: RPCIncomingMessage) -> Bool {
        func atOnce(_ entry: RPCIncomingEntry) -> Bool {
            guard case .request(let request) = entry, let method = methods.method(named: request.method) else { return true }
            return method.isImmediate
        }
        switch message {
        case .empty: return true
        case .single(let entry): return atOnce(entry)
        case .batch(let entries): return entries.allSatisfy(atOnce)
        }
    }

    /// Answers one entry at once, without suspending; only for entries of a message for which
    /// ``answersAtOnce(_:)`` holds. `nil` for a notification.
    func answerAtOnce(_ entry: RPCIncomingEntry, context: RPCRequestContext) -> RPCResponse? {
        switch entry {
        case .invalid(let id, let error):
            return RPCResponse(id: id, outcome: .error(error))
        case .request(let request):
            let start = ContinuousClock.now
            let outcome: RPCResponse.Outcome
            switch admit(request, context: context) {
            case .refused(let error): outcome = .error(error)
            case .run(let method, let scoped):
                guard let invokeNow = method.invokeNow else { preconditionFailure("\(method.name) is not an immediate method") }
                do {
                    outcome = .result(try invokeNow(scoped, request.paramsText))
                } catch {
                    outcome = failure(error, scoped)
                }
            }
            account(request.method, outcome, context, since: start)
            guard let id = request.id else { return nil }
            return RPCResponse(id: id, outcome: outcome)
        }
    }

    private enum Admission {
        case refused(RPCError)
        case run(RPCMethodTable.Method, RPCRequestContext)
    }

    /// The method to run and its context, or the error that answers the request instead.
    private func admit(_ request: RPCRequest, context: RPCRequestContext) -> Admission {
        guard let method = methods.method(named: request.method) else {
            return .refused(.methodNotFound(request.method))
        }
        // Every call re-checks the identity: a revoked or expired token ends the session here,
        // on its next call, whatever the method (protocol.md §4).
        let identity: RPCIdentity?
        switch context.session.checkIdentity() {
        case .ended(let error):
            context.logger.info("session identity ended", metadata: ["name": "\(error.name ?? "")"])
            return .refused(error)
        case .none: identity = nil
        case .valid(let valid): identity = valid
        }
        if case .roles(let allowed) = method.access {
            guard let identity else { return .refused(.authenticationRequired(request.method)) }
            guard allowed.contains(identity.role) else { return .refused(.forbidden(request.method, role: identity.role, allowed: allowed)) }
        }
        return .run(method, context.scoped(method: request.method, principal: identity?.principal, requestID: request.id))
    }

    /// The longest method name the access log shows as called (a name not in the table is the caller's text).
    static let loggedMethodNameLimit = 64

    /// Counts and times the answered call, and writes its access-log line (at info: connection, principal,
    /// method, outcome, code, duration in ms; params never, they can hold a token).
    private func account(_ methodName: String, _ outcome: RPCResponse.Outcome, _ context: RPCRequestContext, since start: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - start
        let error: RPCError?
        if case .error(let failure) = outcome { error = failure } else { error = nil }
        let errorName = error.map { $0.name ?? "\($0.code)" }
        metrics.record(method: methodName, errorName: errorName, duration: duration)
        // The line and its metadata are built only when info is logged (`--log-level notice` turns the access log off).
        guard context.baseLogger.logLevel <= .info else { return }
        let known = methods.method(named: methodName) != nil
        context.baseLogger.info("rpc call", metadata: [
            "principal": "\(context.session.identity?.principal ?? "-")",
            "rpc.method": "\(known ? methodName : String(methodName.unicodeScalars.prefix(Self.loggedMethodNameLimit)))",
            "outcome": "\(errorName ?? RPCCallMetrics.okOutcome)",
            "code": "\(error?.code ?? 0)",
            "durationMs": "\(Self.milliseconds(duration))",
        ])
    }

    /// `duration` in milliseconds with three decimals (µs resolution).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// The answer's error for what a handler threw, logged.
    /// An RPCError is answered as it is (the access log names it); anything else is logged here with its detail.
    private func failure(_ error: any Error, _ context: RPCRequestContext) -> RPCResponse.Outcome {
        if let error = error as? RPCError { return .error(error) }
        let logger = context.logger
        // The only thing that cancels a call is the end of the drain on shutdown.
        if error is CancellationError || Task.isCancelled {
            logger.warning("rpc call cut off by the shutdown", metadata: ["error": "\(String(reflecting: error))"])
            return .error(.cutOffByShutdown())
        }
        if let mapped = methods.errorMapper?(error) {
            logger.error("rpc call failed", metadata: ["code": "\(mapped.code)", "name": "\(mapped.name ?? "")", "error": "\(String(reflecting: error))"])
            return .error(mapped)
        }
        logger.error("rpc call failed with an unexpected error", metadata: ["error": "\(String(reflecting: error))"])
        return .error(.internalError())
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
