import Foundation

/// The output stream of `serve --log-format text`'s `StreamLogHandler`: writes each log line with every
/// control character escaped, so nothing a client sends (an unknown method name, a certificate's common
/// name, an error's text) can start a forged line or move the terminal's cursor.
///
/// `StreamLogHandler` writes one whole line per `write`, ending in `\n`: that last newline is kept, and in
/// the rest `\n`, `\r` and `\t` become `\\n`, `\\r`, `\\t`, and every other C0 control, DEL and C1 control
/// (U+0080–U+009F) becomes `\u{1B}` (its hexadecimal scalar value). Lines without one are written as they
/// are. A line is written with one `write(2)`, so concurrent lines do not interleave.
public struct ControlEscapingStream: TextOutputStream, Sendable {
    private let writeLine: @Sendable (Data) -> Void

    /// - Parameter write: receives each escaped line, newline included (default: standard error).
    public init(write: @escaping @Sendable (Data) -> Void = { FileHandle.standardError.write($0) }) {
        self.writeLine = write
    }

    public mutating func write(_ string: String) {
        var body = Substring(string)
        let newline = body.last == "\n"
        if newline { body = body.dropLast() }
        var line = Self.escaped(body)
        if newline { line.append("\n") }
        writeLine(Data(line.utf8))
    }

    /// `text` with its control characters escaped as described above; returned unchanged (no copy of its
    /// scalars) when it has none, the common case.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return String(text) }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
