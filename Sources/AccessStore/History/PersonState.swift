import AccessProtocol
import Foundation

/// A person's workspace membership state as history keeps it: what one interval of
/// `workspaceUserInterval` holds. Flags are nil when unknown.
struct PersonState: Equatable {
    var name: String?
    var email: String?
    var isActive: Bool?
    var isAdmin: Bool?
    var isGuest: Bool?
    var isViewOnly: Bool?
    /// Gone from the workspace (the row's `departedAt` is set).
    var departed: Bool

    /// `{name, email, isActive, isAdmin, isGuest, isViewOnly}`, unknown members `null`: the `before`/`after`
    /// of `joined`, `left` and `returned`.
    var wholeValue: JSONValue {
        .object([
            "name": name.map(JSONValue.string) ?? .null, "email": email.map(JSONValue.string) ?? .null,
            "isActive": Self.value(isActive), "isAdmin": Self.value(isAdmin),
            "isGuest": Self.value(isGuest), "isViewOnly": Self.value(isViewOnly),
        ])
    }

    static func value(_ flag: Bool?) -> JSONValue { flag.map(JSONValue.bool) ?? .null }
}

/// The rights one team membership gives (Asana's team membership flags), nil when unknown.
struct TeamRights: Hashable {
    var isAdmin: Bool?
    var isGuest: Bool?
    var isLimitedAccess: Bool?

    /// `{isAdmin, isGuest, isLimitedAccess}`, unknown members `null`.
    var value: JSONValue {
        .object(["isAdmin": PersonState.value(isAdmin), "isGuest": PersonState.value(isGuest),
                 "isLimitedAccess": PersonState.value(isLimitedAccess)])
    }
}
