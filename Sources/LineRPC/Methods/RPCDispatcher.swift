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
            let outcome = await run(request, context: context)
            guard let id = request.id else { return nil }
            return RPCResponse(id: id, outcome: outcome)
        }
    }

    private func run(_ request: RPCRequest, context: RPCRequestContext) async -> RPCResponse.Outcome {
        guard let method = methods.method(named: request.method) else {
            return .error(.methodNotFound(request.method))
        }
        // Every call re-checks the identity: a revoked or expired token ends the session here,
        // on its next call, whatever the method (protocol.md §4).
        let identity: RPCIdentity?
        switch context.session.checkIdentity() {
        case .ended(let error):
            context.logger.info("session identity ended", metadata: ["name": "\(error.name ?? "")"])
            return .error(error)
        case .none: identity = nil
        case .valid(let valid): identity = valid
        }
        if case .roles(let allowed) = method.access {
            guard let identity else { return .error(.authenticationRequired(request.method)) }
            guard allowed.contains(identity.role) else { return .error(.forbidden(request.method, role: identity.role, allowed: allowed)) }
        }
        var logger = context.logger
        logger[metadataKey: "rpc.method"] = "\(request.method)"
        if let principal = identity?.principal { logger[metadataKey: "principal"] = "\(principal)" }
        let scoped = context.scoped(logger: logger, requestID: request.id)
        let start = ContinuousClock.now
        do {
            let result = try await method.invoke(scoped, request.params)
            logger.debug("rpc call", metadata: ["outcome": "ok", "ms": "\((ContinuousClock.now - start).milliseconds)"])
            return .result(result)
        } catch let error as RPCError {
            logger.info("rpc call failed", metadata: ["code": "\(error.code)", "name": "\(error.name ?? "")", "ms": "\((ContinuousClock.now - start).milliseconds)"])
            return .error(error)
        } catch {
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
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
