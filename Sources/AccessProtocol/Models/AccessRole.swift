/// What an API token may do (protocol.md §4, "Authentication and roles"). Each role includes the ones below it:
/// `reader` < `operator` < `admin`, so `role >= .operator` asks "may this token sync?".
public enum AccessRole: String, WireEnum, Comparable {
    /// Reads: listUsers and the other read methods.
    case reader
    /// A reader that may also start syncs.
    case `operator`
    /// An operator that may also provision people and manage credentials and tokens.
    case admin

    /// 0, 1, 2 in the order reader, operator, admin.
    var rank: Int {
        switch self {
        case .reader: return 0
        case .operator: return 1
        case .admin: return 2
        }
    }

    /// Orders by privilege: reader < operator < admin.
    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        lhs.rank < rhs.rank
    }
}
