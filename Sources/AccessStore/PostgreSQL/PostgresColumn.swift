import Foundation
import PostgresNIO

/// One column of many rows, bound as ONE array parameter: a statement writes any number of rows with
/// `SELECT … FROM unnest($1, $2, …)`, one round trip and a handful of parameters whatever the row count.
///
/// postgres-nio encodes `[String]` but not arrays with NULL elements, which our nullable columns need; this writes
/// PostgreSQL's binary array format itself (`array_recv`: dimensions, flags, element type OID, then per dimension
/// the length and lower bound 1, then each element as a length-prefixed value, length -1 for NULL;
/// https://github.com/postgres/postgres/blob/master/src/backend/utils/adt/arrayfuncs.c).
struct PostgresColumn<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    var values: [Element?]

    init(_ values: [Element?]) {
        self.values = values
    }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(0, as: Int32.self)  // flags (PostgreSQL works out whether there are NULLs)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        for value in values {
            guard let value else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            value.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex, as: Int32.self)
        }
    }
}
