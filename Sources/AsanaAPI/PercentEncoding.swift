/// Percent-encoding of path segments and query values (RFC 3986).
///
/// Everything except the unreserved characters `A-Z a-z 0-9 - . _ ~` is encoded as `%XX` of its
/// UTF-8 bytes, so an email `a+b@x.example` becomes `a%2Bb%40x.example` and a `/` in an id cannot
/// change the path. Query values additionally keep `,` literal, which `opt_fields` lists use
/// (Asana OpenAPI `opt_fields` parameter) and which RFC 3986 allows in a query.
enum PercentEncoding {
    /// Encodes one path segment.
    static func pathSegment(_ value: String) -> String {
        encode(value, keeping: [])
    }

    /// Encodes one query key or value.
    static func queryValue(_ value: String) -> String {
        encode(value, keeping: [UInt8(ascii: ",")])
    }

    /// Encodes one `application/x-www-form-urlencoded` name or value, or a value of a URL built for a
    /// browser (the OAuth authorize URL): everything but the unreserved characters, `,` included, so a
    /// space is `%20` (form decoders read it as they read `+`) and `&`, `=`, `+`, `/`, `:` cannot split
    /// or change a field.
    static func formValue(_ value: String) -> String {
        encode(value, keeping: [])
    }

    /// `name=value&…` with names and values encoded by ``formValue(_:)``, in the given order.
    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\(formValue($0.0))=\(formValue($0.1))" }.joined(separator: "&")
    }

    /// `path?key=value&…` with keys and values encoded; `path` alone when `query` is empty.
    static func pathWithQuery(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        let items = query.map { "\(queryValue($0.0))=\(queryValue($0.1))" }
        return path + "?" + items.joined(separator: "&")
    }

    private static func encode(_ value: String, keeping extra: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) || extra.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out += hexDigit(byte >> 4)
                out += hexDigit(byte & 0x0F)
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? nibble + 48 : nibble + 55))
    }
}
