import Foundation

/// A token lifetime written `N` + unit: `Nd` (days), `Nh` (hours) or `Nm` (minutes), N a positive
/// decimal integer, e.g. `90d`, `12h`, `30m`. Used by `asana-accessd tokens create --expires-in`
/// and by the `expiresIn` param of `createToken`.
public enum APITokenLifetime {
    /// The lifetime in seconds, or nil unless `text` is `Nd`, `Nh` or `Nm` with N in 1...999999
    /// (bounds on the result are checked by ``APITokenStore/createAPIToken(name:role:at:expiresAt:)``).
    public static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, text.count >= 2, text.count <= 7 else { return nil }
        let digits = text.dropLast()
        guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let count = Int(digits), count > 0 else { return nil }
        switch unit {
        case "d": return TimeInterval(count) * 86400
        case "h": return TimeInterval(count) * 3600
        case "m": return TimeInterval(count) * 60
        default: return nil
        }
    }
}
