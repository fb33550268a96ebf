import Foundation

/// One change of a person's access to a workspace, as `listAccessChanges` answers (protocol.md §5,
/// `listAccessChanges`): `{id, kind, person, team?, before, after, observedAt, notBefore, syncRunId?, provision?}`.
///
/// A change is seen when it is observed: by a sync (``observedAt`` is the run's commit time and
/// ``notBefore`` the previous sync of the workspace, so it happened in `(notBefore, observedAt]`), or by
/// a provision done through this server (both are its time, and ``provision`` names who did it).
public struct AccessChange: Codable, Sendable, Equatable {
    /// What changed. Flags follow Asana's workspace membership (`is_active`, `is_admin`, `is_guest`,
    /// `is_view_only`: https://developers.asana.com/reference/getworkspacemembership) and team membership
    /// (`is_admin`, `is_guest`, `is_limited_access`: https://developers.asana.com/reference/getteammembership).
    public enum Kind: String, WireEnum, Equatable {
        /// First seen in the workspace (`before` null, `after` the person's state).
        case joined
        /// Gone from the workspace: absent from a complete sync, or removed by a provision (`after` null).
        case left
        /// Present again after having left (`before` null, `after` the person's state).
        case returned
        /// `isActive` false → true.
        case activated
        /// `isActive` true → false.
        case deactivated
        /// `isAdmin` false → true.
        case adminGranted
        /// `isAdmin` true → false.
        case adminRevoked
        /// `isGuest` false → true.
        case becameGuest
        /// `isGuest` true → false.
        case becameMember
        /// `isViewOnly` false → true.
        case viewOnlyOn
        /// `isViewOnly` true → false.
        case viewOnlyOff
        /// `name` changed.
        case renamed
        /// `email` changed.
        case emailChanged
        /// Joined a team (`after` the team membership's rights).
        case teamJoined
        /// Left a team, or the team was deleted (`before` the rights it gave).
        case teamLeft
        /// A team membership's known rights changed (`isAdmin`, `isGuest`, `isLimitedAccess`).
        case teamRightsChanged
        /// Flags that were unknown (`null`) became known, e.g. after the sync credential gained access to
        /// workspace memberships, or a provision's team membership was read by a sync. Not a grant or a
        /// revocation: what they were before is not known.
        case flagsBecameKnown
        /// Known flags became unknown (the credential no longer shows them).
        case flagsBecameUnknown
    }

    /// The person, named as they were at the change.
    public struct PersonRef: Codable, Sendable, Equatable {
        public var gid: String
        @Nullable public var name: String?
        @Nullable public var email: String?

        public init(gid: String, name: String?, email: String?) {
            self.gid = gid
            self.name = name
            self.email = email
        }
    }

    /// The team of a team change, named as it was at the change.
    public struct TeamRef: Codable, Sendable, Equatable {
        public var gid: String
        public var name: String

        public init(gid: String, name: String) {
            self.gid = gid
            self.name = name
        }
    }

    /// The provision that made a change through this server: its principal and call id (the `callId` of its
    /// `provision.intent` and `provision.outcome` audit events).
    public struct ProvisionRef: Codable, Sendable, Equatable {
        public var principal: String
        public var callId: String

        public init(principal: String, callId: String) {
            self.principal = principal
            self.callId = callId
        }
    }

    /// Increasing in the order changes were recorded.
    public var id: Int64
    public var kind: Kind
    public var person: PersonRef
    /// Present for `teamJoined`, `teamLeft`, `teamRightsChanged`, and `flagsBecameKnown`/`flagsBecameUnknown` of a team membership.
    public var team: TeamRef?
    /// The changed members before: a JSON object (`null` for none, as before `joined`). Its members are the
    /// person's state `{name, email, isActive, isAdmin, isGuest, isViewOnly}` for `joined`, `left`, `returned`;
    /// the team membership's rights `{isAdmin, isGuest, isLimitedAccess}` for team kinds; otherwise only the
    /// members that changed. A flag that was unknown is `null`.
    @Nullable public var before: JSONValue?
    /// The changed members after, shaped like ``before`` (`null` after `left` and `teamLeft`).
    @Nullable public var after: JSONValue?
    /// When this server saw the change: a sync's commit time, or a provision's time.
    public var observedAt: Date
    /// The earliest time the change may have happened: the workspace's previous sync for a change a sync saw
    /// (`null` on the first sync of a workspace: any time before), the provision's time for a provision.
    @Nullable public var notBefore: Date?
    /// The sync run that saw it; absent for a provision.
    public var syncRunId: Int64?
    /// The provision that made it; absent for a change a sync saw.
    public var provision: ProvisionRef?

    public init(id: Int64, kind: Kind, person: PersonRef, team: TeamRef?, before: JSONValue?, after: JSONValue?,
                observedAt: Date, notBefore: Date?, syncRunId: Int64?, provision: ProvisionRef?) {
        self.id = id
        self.kind = kind
        self.person = person
        self.team = team
        self.before = before
        self.after = after
        self.observedAt = observedAt
        self.notBefore = notBefore
        self.syncRunId = syncRunId
        self.provision = provision
    }
}
