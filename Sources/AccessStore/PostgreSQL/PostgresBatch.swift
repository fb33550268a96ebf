import Foundation
import Logging
import PostgresNIO

/// A value bound in a statement that ``PostgresBatch`` builds, with the SQL type its placeholder is cast to:
/// a NULL is sent untyped, and in `(VALUES ...)` PostgreSQL could not tell its type otherwise.
enum PostgresBatchValue {
    case text(String?)
    case bigint(Int64?)
    case boolean(Bool?)
    case textArray([String])

    /// The placeholder `$index` with its cast.
    func placeholder(_ index: Int) -> String {
        switch self {
        case .text: "$\(index)::text"
        case .bigint: "$\(index)::bigint"
        case .boolean: "$\(index)::boolean"
        case .textArray: "$\(index)::text[]"
        }
    }

    func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .text(let value): bindings.append(value)
        case .bigint(let value): bindings.append(value)
        case .boolean(let value): bindings.append(value)
        case .textArray(let value): bindings.append(value)
        }
    }
}

/// Many rows written in few statements: one round trip per ``rowsPerStatement`` rows instead of one per row, so
/// a snapshot of tens of thousands of people is a few dozen statements.
enum PostgresBatch {
    /// Rows per statement: PostgreSQL takes at most 65,535 parameters per statement; our widest rows have 15.
    static let rowsPerStatement = 1000

    /// Runs `statement(values)` once per chunk of `rows`, where `values` is the chunk as `(…), (…)`, each tuple
    /// `tuplePrefix` then its row's placeholders. `fixed` are bound first, as `$1`, `$2`, …; each row's values follow.
    /// Rows run in order (a `VALUES` list inserts in its order, so identity ids follow it).
    static func run(_ connection: PostgresConnection, logger: Logger, fixed: [PostgresBatchValue] = [], rows: [[PostgresBatchValue]],
                    tuplePrefix: String = "", statement: (String) -> String) async throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            start += chunk.count
            var bindings = PostgresBindings(capacity: fixed.count + chunk.count * (chunk.first?.count ?? 0))
            var index = 0
            for value in fixed {
                index += 1
                value.bind(into: &bindings)
            }
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            for row in chunk {
                var placeholders: [String] = []
                for value in row {
                    index += 1
                    value.bind(into: &bindings)
                    placeholders.append(value.placeholder(index))
                }
                tuples.append("(" + tuplePrefix + placeholders.joined(separator: ", ") + ")")
            }
            try await connection.query(PostgresQuery(unsafeSQL: statement(tuples.joined(separator: ", ")), binds: bindings), logger: logger)
        }
    }
}
