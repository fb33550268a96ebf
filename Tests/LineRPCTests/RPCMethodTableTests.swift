import AccessProtocol
import Logging
import TestSupport
import Testing

@testable import LineRPC

private struct EchoParams: RPCParams {
    static let memberNames: Set<String> = ["workspace", "limit", "tags"]
    var workspace: String
    var limit: Int?
    var tags: [String]?
}

private func context() -> RPCRequestContext {
    RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: RPCIdentity(principal: "tester", role: "reader")), logger: Logger(label: "test"), sendNotification: { _ in })
}

private func call(_ params: JSONValue?) async -> RPCResponse.Outcome? {
    var table = RPCMethodTable()
    table.register("echo", summary: "echo", access: .anyone, params: EchoParams.self) { _, params in
        "\(params.workspace):\(params.limit ?? -1):\(params.tags?.count ?? 0)"
    }
    let response = await RPCDispatcher(methods: table).answer(.request(RPCRequest(id: .integer(1), method: "echo", params: params)), context: context())
    return response?.outcome
}

private func error(_ outcome: RPCResponse.Outcome?) -> RPCError? {
    if case .error(let error)? = outcome { return error }
    return nil
}

@Suite("Method table")
struct RPCMethodTableTests {
    @Test("typed params decode by name and the handler's result is returned")
    func decodes() async throws {
        let outcome = await call(.object(["workspace": .string("w1"), "limit": .integer(5), "tags": .array([.string("a")])]))
        guard case .result(let value)? = outcome else { Issue.record("expected a result"); return }
        #expect(value as? String == "w1:5:1")
    }

    @Test("a missing member is -32602 naming it")
    func missing() async throws {
        let failure = try #require(error(await call(.object([:]))))
        #expect(failure.code == -32602)
        #expect(failure.data?["field"] == .string("workspace"))
    }

    @Test("a member of the wrong type is -32602 naming it")
    func wrongType() async throws {
        let failure = try #require(error(await call(.object(["workspace": .string("w"), "limit": .string("ten")]))))
        #expect(failure.code == -32602)
        #expect(failure.data?["field"] == .string("limit"))
        #expect(failure.message.contains("integer"))
        let nested = try #require(error(await call(.object(["workspace": .string("w"), "tags": .array([.integer(1)])]))))
        #expect(nested.data?["field"] == .string("tags[0]"))
    }

    @Test("an unknown member is refused rather than ignored")
    func unknownMember() async throws {
        let failure = try #require(error(await call(.object(["workspace": .string("w"), "limt": .integer(5)]))))
        #expect(failure.code == -32602)
        #expect(failure.data?["field"] == .string("limt"))
    }

    @Test("params by position are refused")
    func positional() async throws {
        let failure = try #require(error(await call(.array([.string("w")]))))
        #expect(failure.code == -32602)
    }

    @Test("an unknown method is -32601")
    func unknownMethod() async throws {
        let response = await RPCDispatcher(methods: RPCMethodTable()).answer(.request(RPCRequest(id: .string("q"), method: "nope", params: nil)), context: context())
        #expect(response?.id == .string("q"))
        #expect(error(response?.outcome)?.code == -32601)
    }

    @Test("a notification runs but gets no answer")
    func notificationRuns() async throws {
        let counter = Counter()
        var table = RPCMethodTable()
        table.register("bump", summary: "bump", access: .anyone, params: NoParams.self) { _, _ in await counter.bump() }
        let response = await RPCDispatcher(methods: table).answer(.request(RPCRequest(id: nil, method: "bump", params: nil)), context: context())
        #expect(response == nil)
        #expect(await counter.value == 1)
    }
}

private enum Color: String, Decodable { case red, green }

private struct ColorParams: RPCParams {
    static let memberNames: Set<String> = ["color", "count"]
    var color: Color
    var count: Int?
}

@Suite("Params errors in plain words")
struct ParamsWordingTests {
    private func failure(_ params: JSONValue) async -> RPCError? {
        var table = RPCMethodTable()
        table.register("paint", summary: "paint", access: .anyone, params: ColorParams.self) { _, params in params.color.rawValue }
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: nil), logger: Logger(label: "test"), sendNotification: { _ in })
        if case .error(let error)? = await table.answer(RPCRequest(id: .integer(1), method: "paint", params: params), context: context)?.outcome { return error }
        return nil
    }

    @Test("a value outside an enumeration names the field, not a Swift type")
    func enumValue() async throws {
        let error = try #require(await failure(.object(["color": .string("blue")])))
        #expect(error.data?["field"] == .string("color"))
        #expect(error.message == #"Invalid params: "color" is not one of the allowed values (protocol.md lists them)"#)
        #expect(!error.message.contains("Color"))
    }

    @Test("a fraction where an integer is expected names the field")
    func fraction() async throws {
        let error = try #require(await failure(.object(["color": .string("red"), "count": .double(1.5)])))
        #expect(error.code == -32602)
        #expect(error.data?["field"] == .string("count"))
    }
}

@Suite("Access rules")
struct RPCAccessTests {
    private func answer(_ access: RPCAccess, identity: RPCIdentity?) async -> RPCResponse.Outcome? {
        var table = RPCMethodTable()
        table.register("guarded", summary: "guarded", access: access, params: NoParams.self) { _, _ in "ran" }
        let context = RPCRequestContext(connectionID: 1, session: RPCSession(certificateCommonName: nil, identity: identity),
                                        logger: Logger(label: "test"), sendNotification: { _ in })
        return await RPCDispatcher(methods: table).answer(.request(RPCRequest(id: .integer(1), method: "guarded", params: nil)), context: context)?.outcome
    }

    @Test("a role-guarded method refuses an unauthenticated caller with -32001")
    func unauthenticated() async throws {
        let failure = try #require(error(await answer(.roles(["admin"]), identity: nil)))
        #expect(failure.code == -32001)
        #expect(failure.name == "auth.required")
    }

    @Test("a caller whose role is not allowed gets -32002 naming the allowed roles")
    func wrongRole() async throws {
        let failure = try #require(error(await answer(.roles(["admin", "operator"]), identity: RPCIdentity(principal: "p", role: "reader"))))
        #expect(failure.code == -32002)
        #expect(failure.data?["allowedRoles"] == .array([.string("admin"), .string("operator")]))
    }

    @Test("an allowed role, and a method open to anyone, run")
    func allowed() async throws {
        guard case .result(let value)? = await answer(.roles(["reader"]), identity: RPCIdentity(principal: "p", role: "reader")) else {
            Issue.record("refused")
            return
        }
        #expect(value as? String == "ran")
        guard case .result? = await answer(.anyone, identity: nil) else {
            Issue.record("refused")
            return
        }
    }
}

private actor Counter {
    var value = 0
    func bump() -> Int { value += 1; return value }
}

@Suite("A call cut off by the shutdown")
struct CutOffCallTests {
    @Test("a call cancelled when the drain limit passes is answered server.shutting_down with cutOff, not as an internal error")
    func cancelledCall() async throws {
        let started = RunCounter()
        var table = RPCMethodTable()
        table.register("slow", summary: "slow", access: .anyone, params: NoParams.self) { _, _ in
            started.increment()
            try await Task.sleep(for: .seconds(600))
            return "finished"
        }
        let methods = table
        let call = Task {
            await RPCDispatcher(methods: methods).answer(.request(RPCRequest(id: .integer(1), method: "slow", params: nil)), context: context())
        }
        #expect(await eventually { started.count == 1 })
        call.cancel()
        let outcome = await call.value?.outcome
        let failure = error(outcome)
        #expect(failure?.code == -32000)
        #expect(failure?.name == "server.shutting_down")
        #expect(failure?.data?["cutOff"] == .bool(true))
    }
}
