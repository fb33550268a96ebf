import AccessProtocol
import Logging

/// Runs requests against a method table and shapes the answers.
struct RPCDispatcher: Sendable {
    let methods: RPCMethodTable

    /// Answers one entry of a line; `nil` for a notification (which still runs).
    func answer(_ entry: RPCIncomingEntry, context: RPCRequestContext) async -> RPCResponse? {
        switch entry {
        case .invalid(let id, let error):
            return RPCResponse(id: id, outcome: .error(error))
        case .request(let request):
            let outcome: RPCResponse.Outcome
            switch admit(request, context: context) {
            case .refused(let error): outcome = .error(error)
            case .run(let method, let scoped):
                let start = ContinuousClock.now
                do {
                    outcome = finished(.result(try await method.invoke(scoped, request.paramsText)), scoped, since: start)
                } catch {
                    outcome = failure(error, scoped, since: start)
                }
            }
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
            let outcome: RPCResponse.Outcome
            switch admit(request, context: context) {
            case .refused(let error): outcome = .error(error)
            case .run(let method, let scoped):
                guard let invokeNow = method.invokeNow else { preconditionFailure("\(method.name) is not an immediate method") }
                let start = ContinuousClock.now
                do {
                    outcome = finished(.result(try invokeNow(scoped, request.paramsText)), scoped, since: start)
                } catch {
                    outcome = failure(error, scoped, since: start)
                }
            }
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

    /// Logs a call that succeeded (at debug level) and returns `outcome`.
    private func finished(_ outcome: RPCResponse.Outcome, _ context: RPCRequestContext, since start: ContinuousClock.Instant) -> RPCResponse.Outcome {
        // The scoped logger (metadata: connection, method, principal) is built only when the line is logged.
        if case .result = outcome, context.baseLogger.logLevel <= .debug {
            context.logger.debug("rpc call", metadata: ["outcome": "ok", "ms": "\((ContinuousClock.now - start).milliseconds)"])
        }
        return outcome
    }

    /// The answer's error for what a handler threw, logged.
    private func failure(_ error: any Error, _ context: RPCRequestContext, since start: ContinuousClock.Instant) -> RPCResponse.Outcome {
        let logger = context.logger
        if let error = error as? RPCError {
            logger.info("rpc call failed", metadata: ["code": "\(error.code)", "name": "\(error.name ?? "")", "ms": "\((ContinuousClock.now - start).milliseconds)"])
            return .error(error)
        }
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
