import AccessProtocol
import Foundation
import TestSupport
import Testing

@testable import LineRPC

/// One row of the table in protocol.md §6.
private struct DocumentedError: Equatable, CustomStringConvertible {
    var code: Int
    var name: String
    var meaning: String
    var retry: String
    var description: String { "| \(code) | `\(name)` | \(meaning) | \(retry) |" }
}

/// The rows of protocol.md §6, in order.
private func documentedErrors() throws -> [DocumentedError] {
    let text = try String(contentsOf: Repository.root.appendingPathComponent("protocol.md"), encoding: .utf8)
    let start = try #require(text.range(of: "\n## 6. Errors"))
    let end = try #require(text.range(of: "\n## 7. ", range: start.upperBound..<text.endIndex))
    return text[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line -> DocumentedError? in
        // | code | `name` | when | retry? |
        guard line.hasPrefix("| "), line.hasSuffix(" |") else { return nil }
        let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
        guard cells.count == 4, let code = Int(cells[0]), cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { return nil }
        return DocumentedError(code: code, name: String(cells[1].dropFirst().dropLast()), meaning: cells[2], retry: cells[3])
    }
}

@Suite("The error catalogue is the contract")
struct ErrorCatalogueTests {
    @Test("protocol.md §6 lists the catalogue row for row and word for word, in its order")
    func protocolDocumentMatches() throws {
        let documented = try documentedErrors()
        let catalogue = ErrorKind.allCases.map { DocumentedError(code: $0.code, name: $0.name, meaning: $0.meaning, retry: $0.retry) }
        #expect(documented.count > 40, "the §6 table was found and read")
        for (index, pair) in zip(documented, catalogue).enumerated() where pair.0 != pair.1 {
            Issue.record("row \(index + 1) differs:\n  protocol.md: \(pair.0)\n  ErrorKind:   \(pair.1)")
        }
        #expect(documented.count == catalogue.count, "protocol.md has \(documented.count) rows, the catalogue \(catalogue.count)")
    }

    @Test("names are unique, dotted lower snake case; codes are JSON-RPC's or positive application codes")
    func shapes() {
        #expect(Set(ErrorKind.allCases.map(\.name)).count == ErrorKind.allCases.count)
        for kind in ErrorKind.allCases {
            #expect(kind.name.wholeMatch(of: /[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*/) != nil, "\(kind.name)")
            #expect((-32768...(-32000)).contains(kind.code) || kind.code > 0, "\(kind.name): \(kind.code)")
            #expect(!kind.meaning.isEmpty && !kind.retry.isEmpty)
        }
    }

    @Test("every error LineRPC makes on its own is in the catalogue, with the catalogue's code")
    func lineRPCErrors() {
        // LineRPC's own factories, as the server calls them (the service's errors are built from the
        // catalogue itself, `RPCError(_ kind:)`).
        let errors: [RPCError] = [
            .parseError("x"), .invalidRequest("x"), .methodNotFound("m"), .invalidParams("x"), .internalError(),
            .authenticationRequired("m"), .forbidden("m", role: "reader", allowed: ["admin"]),
            .lineTooLong(maximum: 1), .lineTimedOut(seconds: 1), .tooDeep(maximum: 1), .batchTooLong(2, maximum: 1), .tooManyValues(maximum: 1),
            .connectionLimit(1, evicted: true), .answerTooLarge(limit: 1, queuedLimit: 1, ran: true),
            .shuttingDown(), .cutOffByShutdown(), .certificateRejected(commonNameCount: 2),
        ]
        for error in errors {
            let kind = ErrorKind(rawValue: error.name ?? "")
            #expect(kind != nil, "\(error.name ?? "no name") is not in the catalogue")
            #expect(kind?.code == error.code, "\(error.name ?? ""): LineRPC sends \(error.code), the catalogue says \(kind?.code ?? 0)")
        }
    }
}
