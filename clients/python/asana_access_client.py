"""A Python client for asana-accessd, written from protocol.md (protocol version 1.0).

Standard library only (``ssl``, ``socket``, ``json``, ``typing``, ``dataclasses``). One
:class:`Client` is one TLS connection: newline-delimited JSON-RPC 2.0, TLS 1.2 minimum, server
certificate checked against ``cafile`` and the dialled host name or IP address, optional client
certificate for mutual TLS, optional API token presented with ``authenticate`` right after
connecting.

Example::

    from asana_access_client import Client, RpcError

    with Client("127.0.0.1", 7443, cafile="certs/dev/ca.pem", token=token) as client:
        print(client.ping().identity)
        result = client.sync("1000", on_progress=lambda p: print("phase", p["phase"]))
        for user in client.iter_users("1000", admin=True):
            print(user.gid, user.name, user.email)

Errors: every error answer raises :class:`RpcError` (``code``, ``name``, ``message``, ``data``);
anything that breaks the connection (refused, TLS handshake, certificate check, timeout, the server
closing, an unreadable answer line) raises :class:`ConnectionFailed`, after which the client is
closed. A client is not thread-safe: use one per thread. Calls on one client run one at a time
(the next request is sent after the previous answer), so answers never need reordering.

Dates are returned as the server sends them: ISO 8601 UTC strings with milliseconds
(``"2026-11-29T09:30:00.123Z"``). Every result dataclass keeps the whole answer object in ``raw``,
so members this client does not know yet (protocol §9: minor versions add members) are not lost.
"""

from __future__ import annotations

import json
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "PROTOCOL_VERSION",
    "DEFAULT_PORT",
    "Client",
    "RpcError",
    "ConnectionFailed",
    "Identity",
    "PingResult",
    "WorkspaceRef",
    "TeamRef",
    "User",
    "UserPage",
    "SyncCapabilities",
    "SyncResult",
    "ProvisionUser",
    "ProvisionTarget",
    "ProvisionResult",
    "BulkProvisionResult",
    "TokenSummary",
    "CreatedToken",
    "Credential",
    "OAuthClient",
    "OAuthStart",
    "OAuthUser",
    "OAuthFinishResult",
    "SyncRun",
    "AuditEvent",
    "AuditPage",
]

#: The protocol version this client was written against (``ping().protocol_version``).
PROTOCOL_VERSION = "1.0"
#: Default TCP port of asana-accessd.
DEFAULT_PORT = 7443
#: Default bound on one answer line from the server, in bytes (protocol.md sets no bound on
#: answers; a 1000-user ``listUsers`` page is about 0.5 MB).
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024

JSON = Any
Params = Optional[Mapping[str, Any]]
NotificationHandler = Callable[[str, Dict[str, Any]], None]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class RpcError(Exception):
    """An error answer from the server (protocol.md §6).

    Attributes:
        code: ``error.code``, e.g. ``-32602`` or ``1001``.
        name: ``error.data.name``, the stable name for programs, e.g. ``"rpc.invalid_params"``,
            ``"auth.forbidden"``, ``"workspace.not_synced"`` (``""`` if the server sent none).
        message: ``error.message``, a sentence for a person.
        data: the whole ``error.data`` object (``field``, ``allowedRoles``, ``retryAfterMs``, …).
    """

    # Codes of protocol.md §6, for comparisons such as ``err.code == RpcError.AUTH_FAILED``.
    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    AUTH_REQUIRED = -32001
    AUTH_FORBIDDEN = -32002
    AUTH_FAILED = -32003
    AUTH_TOO_MANY_ATTEMPTS = -32004
    AUTH_TOKEN_REVOKED = -32005
    AUTH_TOKEN_EXPIRED = -32006
    AUTH_CERTIFICATE_REJECTED = -32007
    WORKSPACE_NOT_SYNCED = 1001
    CREDENTIAL_MISSING = 1003
    CREDENTIAL_UNREADABLE = 1004
    CREDENTIAL_REAUTHORIZATION_REQUIRED = 1006
    TEAM_NOT_FOUND = 1010
    TEAM_AMBIGUOUS = 1011
    SYNC_IN_PROGRESS = 1020
    SYNC_DEADLINE_EXCEEDED = 1021
    SYNC_RUN_NOT_FOUND = 1030
    OAUTH_UNKNOWN_STATE = 1060
    OAUTH_CLIENT_UNKNOWN = 1061
    OAUTH_EXCHANGE_REFUSED = 1062
    OAUTH_WORKSPACE_NOT_GRANTED = 1063
    OAUTH_CLIENT_UNREADABLE = 1064
    OAUTH_REFRESH_REFUSED = 1065
    OAUTH_CHECKS_FAILED = 1066
    PROVISION_SELF_REMOVAL = 1040
    PROVISION_OUTSIDE_DOMAIN = 1044
    UPSTREAM_UNAUTHORIZED = 1100
    UPSTREAM_FORBIDDEN = 1101
    UPSTREAM_RATE_LIMITED = 1102
    UPSTREAM_UNAVAILABLE = 1103
    UPSTREAM_REJECTED = 1104
    UPSTREAM_MALFORMED = 1105

    def __init__(self, code: int, name: str, message: str, data: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(f"{code} {name}: {message}" if name else f"{code}: {message}")
        self.code = code
        self.name = name
        self.message = message
        self.data: Dict[str, Any] = dict(data or {})

    @classmethod
    def from_error_object(cls, error: Any) -> "RpcError":
        """Builds an :class:`RpcError` from an answer's ``error`` member (tolerant of odd shapes)."""
        if not isinstance(error, dict):
            return cls(RpcError.INTERNAL_ERROR, "", f"malformed error object: {error!r}", {})
        data = error.get("data")
        data = data if isinstance(data, dict) else ({} if data is None else {"value": data})
        code = error.get("code")
        return cls(
            code if isinstance(code, int) and not isinstance(code, bool) else RpcError.INTERNAL_ERROR,
            str(data.get("name", "")),
            str(error.get("message", "")),
            data,
        )

    def to_dict(self) -> Dict[str, Any]:
        """The error as a JSON-ready object ``{"code", "message", "data"}`` (the wire shape)."""
        return {"code": self.code, "message": self.message, "data": self.data}


class ConnectionFailed(Exception):
    """The connection could not be made or broke: refused, unreachable, TLS handshake or
    certificate failure (including a server that requires a client certificate), a timeout, the
    server closing, or an answer line that is not JSON or too long. The client is closed."""


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


def _opt_bool(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


@dataclass(frozen=True)
class Identity:
    """Who a connection runs as: ``principal`` (``"token:<name>"`` or ``"cert:<CN>"``) and
    ``role`` (``"reader"``, ``"operator"`` or ``"admin"``)."""

    principal: str
    role: str

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Identity":
        return cls(principal=str(obj.get("principal", "")), role=str(obj.get("role", "")))


@dataclass(frozen=True)
class PingResult:
    """``ping`` result: ``{identity?, limits, protocolVersion, server, time, version}``.
    ``identity`` is ``None`` before authentication. ``limits`` is the server's limits (protocol.md
    §7) as a dict: ``{authenticated, unauthenticated, jsonDepth, connections}``, each of the first
    two ``{lineBytes, batchLength, jsonValues, linesPerSecond, inFlight, answerBytes, queuedBytes}``."""

    protocol_version: str
    server: str
    version: str
    time: str
    identity: Optional[Identity]
    limits: Dict[str, Any] = field(repr=False, compare=False)
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "PingResult":
        ident = obj.get("identity")
        return cls(
            protocol_version=str(obj.get("protocolVersion", "")),
            server=str(obj.get("server", "")),
            version=str(obj.get("version", "")),
            time=str(obj.get("time", "")),
            identity=Identity.from_json(ident) if isinstance(ident, dict) else None,
            limits=dict(obj.get("limits") or {}),
            raw=dict(obj),
        )


@dataclass(frozen=True)
class WorkspaceRef:
    """``{gid, name, isOrganization}`` as found in sync, listUsers and provision results."""

    gid: str
    name: str
    is_organization: Optional[bool]

    @classmethod
    def from_json(cls, obj: Any) -> Optional["WorkspaceRef"]:
        if not isinstance(obj, dict):
            return None
        return cls(gid=str(obj.get("gid", "")), name=str(obj.get("name", "")),
                   is_organization=_opt_bool(obj.get("isOrganization")))


@dataclass(frozen=True)
class TeamRef:
    """``{gid, name, isAdmin, isGuest, isLimitedAccess}`` of a team of a person: the flags are the
    person's rights in that team, ``True``, ``False`` or ``None`` (unknown). Equality and hashing
    look at ``gid`` and ``name`` only, so ``team in user.teams`` finds a team whatever the rights."""

    gid: str
    name: str
    is_admin: Optional[bool] = field(default=None, compare=False)
    is_guest: Optional[bool] = field(default=None, compare=False)
    is_limited_access: Optional[bool] = field(default=None, compare=False)


@dataclass(frozen=True)
class User:
    """One person of a ``listUsers`` page.

    ``email`` may be ``None``; ``is_active``/``is_admin``/``is_guest``/``is_view_only`` are
    ``True``, ``False`` or ``None`` (unknown); ``departed_at`` is ``None`` while the person is
    present. ``changed_at`` is the last change of the row; ``change`` is ``"added"``,
    ``"updated"`` or ``"departed"`` with ``changed_since``, else ``None``. A member missing from
    the answer (see ``fields``) reads as ``None`` too (``teams`` as empty).
    """

    gid: str
    name: str
    email: Optional[str]
    is_active: Optional[bool]
    is_admin: Optional[bool]
    is_guest: Optional[bool]
    is_view_only: Optional[bool]
    teams: Tuple[TeamRef, ...]
    first_seen_at: Optional[str]
    last_seen_at: Optional[str]
    departed_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    changed_at: Optional[str] = None
    change: Optional[str] = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "User":
        teams = obj.get("teams") or []
        return cls(
            gid=str(obj.get("gid", "")),
            name=str(obj.get("name", "")),
            email=obj.get("email"),
            is_active=_opt_bool(obj.get("isActive")),
            is_admin=_opt_bool(obj.get("isAdmin")),
            is_guest=_opt_bool(obj.get("isGuest")),
            is_view_only=_opt_bool(obj.get("isViewOnly")),
            teams=tuple(TeamRef(gid=str(t.get("gid", "")), name=str(t.get("name", "")),
                                is_admin=_opt_bool(t.get("isAdmin")), is_guest=_opt_bool(t.get("isGuest")),
                                is_limited_access=_opt_bool(t.get("isLimitedAccess")))
                        for t in teams if isinstance(t, dict)),
            first_seen_at=obj.get("firstSeenAt"),
            last_seen_at=obj.get("lastSeenAt"),
            departed_at=obj.get("departedAt"),
            raw=dict(obj),
            changed_at=obj.get("changedAt"),
            change=obj.get("change"),
        )


@dataclass(frozen=True)
class UserPage:
    """One ``listUsers`` page: ``{users, nextCursor?, syncedAt, changedSince?, workspace}``.
    ``next_cursor`` is ``None`` on the last page; ``changed_since`` is the time ``changed_since``
    stood for (a run's ``finishedAt``), ``None`` without it."""

    users: List[User]
    next_cursor: Optional[str]
    synced_at: Optional[str]
    workspace: Optional[WorkspaceRef]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    changed_since: Optional[str] = None
    #: With ``as_of``: ``{time, syncRunId, historyFrom}`` (the moment shown, the sync run the picture
    #: stands on, from when history is complete); ``None`` otherwise.
    as_of: Optional[Dict[str, Any]] = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "UserPage":
        return cls(
            users=[User.from_json(u) for u in obj.get("users") or [] if isinstance(u, dict)],
            next_cursor=obj.get("nextCursor"),
            synced_at=obj.get("syncedAt"),
            workspace=WorkspaceRef.from_json(obj.get("workspace")),
            raw=dict(obj),
            changed_since=obj.get("changedSince"),
            as_of=obj.get("asOf") if isinstance(obj.get("asOf"), dict) else None,
        )


@dataclass(frozen=True)
class AccessChange:
    """One change of a person's access (``listAccessChanges``): ``kind`` (``"joined"``,
    ``"adminGranted"``, ``"teamLeft"``, …), ``person`` ``{gid, name, email}``, ``team`` ``{gid, name}``
    or ``None``, ``before``/``after`` (objects of the changed members, ``None`` for none),
    ``observed_at`` and ``not_before`` (ISO 8601; it happened between them), and either
    ``sync_run_id`` or ``provision`` ``{principal, callId}``."""

    id: int
    kind: str
    person: Dict[str, Any]
    team: Optional[Dict[str, Any]]
    before: Optional[Dict[str, Any]]
    after: Optional[Dict[str, Any]]
    observed_at: str
    not_before: Optional[str]
    sync_run_id: Optional[int]
    provision: Optional[Dict[str, Any]]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "AccessChange":
        return cls(id=int(obj.get("id", 0)), kind=str(obj.get("kind", "")), person=dict(obj.get("person") or {}),
                   team=obj.get("team"), before=obj.get("before"), after=obj.get("after"),
                   observed_at=str(obj.get("observedAt", "")), not_before=obj.get("notBefore"),
                   sync_run_id=obj.get("syncRunId"), provision=obj.get("provision"), raw=dict(obj))


@dataclass(frozen=True)
class AccessChangePage:
    """One ``listAccessChanges`` page: ``{workspace, from, before, changes, nextCursor?}``, oldest first."""

    changes: List[AccessChange]
    next_cursor: Optional[str]
    window_from: str
    window_before: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "AccessChangePage":
        return cls(changes=[AccessChange.from_json(c) for c in obj.get("changes") or [] if isinstance(c, dict)],
                   next_cursor=obj.get("nextCursor"), window_from=str(obj.get("from", "")),
                   window_before=obj.get("before"), raw=dict(obj))


@dataclass(frozen=True)
class SyncCapabilities:
    """``capabilities`` of a sync: ``membershipFlags`` is ``False`` when Asana refused the
    workspace-membership listing (flags then unknown); ``teams`` whether teams were read."""

    membership_flags: Optional[bool]
    teams: Optional[bool]


@dataclass(frozen=True)
class SyncResult:
    """``sync`` result: counts of the committed snapshot (see protocol.md §5 ``sync``)."""

    run_id: int
    users: int
    added: int
    updated: int
    departed: int
    teams: int
    team_memberships: int
    api_calls: int
    rate_limited: int
    duration_ms: int
    finished_at: Optional[str]
    capabilities: SyncCapabilities
    workspace: Optional[WorkspaceRef]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "SyncResult":
        caps = obj.get("capabilities") or {}
        return cls(
            run_id=int(obj.get("runId", 0)),
            users=int(obj.get("users", 0)),
            added=int(obj.get("added", 0)),
            updated=int(obj.get("updated", 0)),
            departed=int(obj.get("departed", 0)),
            teams=int(obj.get("teams", 0)),
            team_memberships=int(obj.get("teamMemberships", 0)),
            api_calls=int(obj.get("apiCalls", 0)),
            rate_limited=int(obj.get("rateLimited", 0)),
            duration_ms=int(obj.get("durationMs", 0)),
            finished_at=obj.get("finishedAt"),
            capabilities=SyncCapabilities(membership_flags=_opt_bool(caps.get("membershipFlags")),
                                          teams=_opt_bool(caps.get("teams"))),
            workspace=WorkspaceRef.from_json(obj.get("workspace")),
            raw=dict(obj),
        )


@dataclass(frozen=True)
class ProvisionUser:
    """The person a ``provision`` call was about. ``gid`` and ``name`` are ``None`` when Asana
    does not know the person (e.g. ``remove`` of someone who never joined). ``guest`` (``add`` in an
    organization): ``True`` when the email is outside the organization's email domains, so the person
    is (or, in a dry run, would be) a guest; ``False`` inside them; ``None`` otherwise (``remove``, or a
    workspace that is not an organization)."""

    email: Optional[str]
    gid: Optional[str]
    name: Optional[str]
    guest: Optional[bool] = None


@dataclass(frozen=True)
class ProvisionTarget:
    """One step of a ``provision`` call: ``type`` (``"workspace"`` or ``"team"``), ``gid``,
    ``name``, ``outcome`` and ``calls``.

    ``outcome`` is ``"added"`` (an existing Asana user was added), ``"invited"`` (the email was
    new to Asana, which invited it), ``"alreadyMember"`` (nothing sent), ``"removed"``,
    ``"notMember"`` (nothing sent) or ``"failed"``, with ``error`` as an :class:`RpcError`.
    ``calls`` lists the Asana writes made (with ``dry_run``: that would be made), e.g.
    ``'POST /workspaces/1000/addUser {"user":"a@b.example"}'``.
    """

    type: str
    gid: str
    name: Optional[str]
    outcome: str
    error: Optional[RpcError]
    calls: Tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """``True`` when this step changed (or, in a dry run, would change) something in Asana."""
        return self.outcome in ("added", "invited", "removed")

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "ProvisionTarget":
        err = obj.get("error")
        calls = obj.get("calls") or []
        return cls(type=str(obj.get("type", "")), gid=str(obj.get("gid", "")), name=obj.get("name"),
                   outcome=str(obj.get("outcome", "")),
                   error=RpcError.from_error_object(err) if err is not None else None,
                   calls=tuple(str(c) for c in calls) if isinstance(calls, list) else ())


@dataclass(frozen=True)
class ProvisionResult:
    """One person's ``provision`` result: ``{action, targets, user, workspace?, dryRun?, ok?, outcomes?}``;
    ``targets`` in the order the steps ran (workspace first, then teams). A ``failed`` step stops
    that person's later steps; earlier steps stay done. In a bulk result (:class:`BulkProvisionResult`)
    ``workspace`` and ``dry_run`` are taken from the enclosing result."""

    action: str
    targets: List[ProvisionTarget]
    user: ProvisionUser
    workspace: Optional[WorkspaceRef]
    dry_run: bool
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def failed(self) -> List[ProvisionTarget]:
        """The steps whose outcome is ``failed`` (at most one)."""
        return [t for t in self.targets if t.outcome == "failed"]

    @property
    def ok(self) -> bool:
        """``False`` when a step failed: a failed step is reported in its target, not as an error
        answer (the server's ``ok``; for a person of a bulk result, from the targets)."""
        return not self.failed

    @property
    def outcomes(self) -> List[str]:
        """``[target.outcome, …]``, in step order."""
        return [t.outcome for t in self.targets]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], workspace: Any = None, dry_run: Any = None) -> "ProvisionResult":
        user = obj.get("user") or {}
        return cls(
            action=str(obj.get("action", "")),
            targets=[ProvisionTarget.from_json(t) for t in obj.get("targets") or [] if isinstance(t, dict)],
            user=ProvisionUser(email=user.get("email"), gid=user.get("gid"), name=user.get("name"),
                               guest=user.get("guest")),
            workspace=WorkspaceRef.from_json(obj.get("workspace", workspace)),
            dry_run=bool(obj.get("dryRun", dry_run)),
            raw=dict(obj),
        )


@dataclass(frozen=True)
class BulkProvisionResult:
    """``provision`` with ``users``: ``{workspace, dryRun, ok, outcomes, results: [{action, user, targets}]}``,
    one :class:`ProvisionResult` per person, in the order given."""

    workspace: Optional[WorkspaceRef]
    dry_run: bool
    results: List[ProvisionResult]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """``False`` when a step of any person failed (the server's ``ok``)."""
        return all(r.ok for r in self.results)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "BulkProvisionResult":
        workspace = obj.get("workspace")
        dry_run = bool(obj.get("dryRun", False))
        return cls(workspace=WorkspaceRef.from_json(workspace), dry_run=dry_run,
                   results=[ProvisionResult.from_json(r, workspace, dry_run)
                            for r in obj.get("results") or [] if isinstance(r, dict)],
                   raw=dict(obj))


@dataclass(frozen=True)
class TokenSummary:
    """An API token as listed: ``{id, name, role, createdAt, lastUsedAt?, revokedAt?}``.
    ``id`` is the 16 hex characters after ``aat_`` in the token text."""

    id: str
    name: str
    role: str
    created_at: Optional[str]
    last_used_at: Optional[str]
    revoked_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TokenSummary":
        return cls(id=str(obj.get("id", "")), name=str(obj.get("name", "")), role=str(obj.get("role", "")),
                   created_at=obj.get("createdAt"), last_used_at=obj.get("lastUsedAt"),
                   revoked_at=obj.get("revokedAt"), raw=dict(obj))


@dataclass(frozen=True)
class CreatedToken:
    """``createToken`` result: the token text (shown this once) and its summary."""

    token: str = field(repr=False)
    summary: TokenSummary


@dataclass(frozen=True)
class Credential:
    """A stored credential's summary (never the secret):
    ``{workspaceGid, purpose, kind, fingerprint, createdAt, updatedAt, state, stateReason}``.

    ``kind`` is ``"pat"`` or ``"oauth"``. ``state`` is ``"active"`` or
    ``"reauthorizationRequired"`` (Asana refused the OAuth refresh token: every call that needs the
    credential fails with ``1006 credential.reauthorization_required`` until a new one is stored);
    ``state_reason`` says why (``None`` while active). For an OAuth credential ``fingerprint`` is
    that of the refresh token: it stays the same across refreshes unless Asana hands out a new
    refresh token, and ``updated_at`` moves on each refresh."""

    workspace_gid: str
    purpose: str
    kind: str
    fingerprint: str
    created_at: Optional[str]
    updated_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    state: Optional[str] = None
    state_reason: Optional[str] = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Credential":
        return cls(workspace_gid=str(obj.get("workspaceGid", "")), purpose=str(obj.get("purpose", "")),
                   kind=str(obj.get("kind", "")), fingerprint=str(obj.get("fingerprint", "")),
                   created_at=obj.get("createdAt"), updated_at=obj.get("updatedAt"), raw=dict(obj),
                   state=obj.get("state"), state_reason=obj.get("stateReason"))


@dataclass(frozen=True)
class OAuthClient:
    """An OAuth app whose client secret the server keeps sealed (never returned):
    ``{clientId, fingerprint, createdAt, updatedAt}``."""

    client_id: str
    fingerprint: str
    created_at: Optional[str]
    updated_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "OAuthClient":
        return cls(client_id=str(obj.get("clientId", "")), fingerprint=str(obj.get("fingerprint", "")),
                   created_at=obj.get("createdAt"), updated_at=obj.get("updatedAt"), raw=dict(obj))


@dataclass(frozen=True)
class OAuthStart:
    """``oauthStart`` result: ``{authorizeUrl, state, clientId, redirectUri, scopes, purpose,
    workspace, expiresAt}``.

    Open ``authorize_url`` in a browser signed in to Asana as the person who grants access; Asana
    then redirects to ``redirect_uri?code=…&state=…`` (a refusal: ``?error=…&state=…``). Pass that
    ``state`` and ``code`` to :meth:`Client.oauth_finish` before ``expires_at`` (10 minutes).
    ``workspace`` is the workspace as given (a name is resolved only at ``oauthFinish``)."""

    authorize_url: str
    state: str
    client_id: str
    redirect_uri: str
    scopes: List[str]
    purpose: str
    workspace: str
    expires_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "OAuthStart":
        scopes = obj.get("scopes")
        return cls(authorize_url=str(obj.get("authorizeUrl", "")), state=str(obj.get("state", "")),
                   client_id=str(obj.get("clientId", "")), redirect_uri=str(obj.get("redirectUri", "")),
                   scopes=[str(x) for x in scopes] if isinstance(scopes, list) else [],
                   purpose=str(obj.get("purpose", "")), workspace=str(obj.get("workspace", "")),
                   expires_at=obj.get("expiresAt"), raw=dict(obj))


@dataclass(frozen=True)
class OAuthUser:
    """The Asana user who granted access: ``{gid, name, email}`` (``email`` may be ``None``)."""

    gid: str
    name: Optional[str]
    email: Optional[str]


@dataclass(frozen=True)
class OAuthFinishResult:
    """``oauthFinish`` result: ``{credential, workspace, purpose, scopes, refreshable,
    accessTokenExpiresAt, authorizedUser, checks}``. No token is ever in it. ``checks`` is the
    connection test run with the granted token (``{workspace, purpose, ok, checks, capabilities}``).

    ``credential`` is the stored ``oauth`` credential (``state`` ``"active"``); ``workspace`` is
    ``{gid, name}`` (``is_organization`` is ``None``: the answer does not carry it);
    ``refreshable`` is ``True`` when Asana gave a refresh token."""

    credential: Credential
    workspace: Optional[WorkspaceRef]
    purpose: str
    scopes: List[str]
    refreshable: Optional[bool]
    access_token_expires_at: Optional[str]
    authorized_user: Optional[OAuthUser]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    checks: Optional[Dict[str, Any]] = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "OAuthFinishResult":
        user = obj.get("authorizedUser")
        scopes = obj.get("scopes")
        return cls(credential=Credential.from_json(obj.get("credential") or {}),
                   workspace=WorkspaceRef.from_json(obj.get("workspace")),
                   purpose=str(obj.get("purpose", "")),
                   scopes=[str(x) for x in scopes] if isinstance(scopes, list) else [],
                   refreshable=_opt_bool(obj.get("refreshable")),
                   access_token_expires_at=obj.get("accessTokenExpiresAt"),
                   authorized_user=(OAuthUser(gid=str(user.get("gid", "")), name=user.get("name"),
                                              email=user.get("email")) if isinstance(user, dict) else None),
                   raw=dict(obj), checks=obj.get("checks"))


@dataclass(frozen=True)
class SyncRun:
    """A recorded sync run:
    ``{id, workspaceGid, trigger, status, startedAt, finishedAt?, counts?, apiCalls?, rateLimited?, error?}``.
    ``trigger`` is the principal that asked for it; ``status`` e.g. ``"succeeded"`` or
    ``"failed"``; ``counts`` the sync result counts (``users``, ``added``, …; absent for a failed
    run); ``rate_limited`` the 429 answers Asana gave among ``api_calls``; ``error`` the failure of a failed run, as the server sends it (today a text such as
    ``"Asana refused the credential … (1100 upstream.unauthorized)"``)."""

    id: int
    workspace_gid: str
    trigger: Optional[str]
    status: str
    started_at: Optional[str]
    finished_at: Optional[str]
    counts: Optional[Dict[str, Any]]
    api_calls: Optional[int]
    error: Optional[Any]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    rate_limited: Optional[int] = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "SyncRun":
        return cls(id=int(obj.get("id", 0)), workspace_gid=str(obj.get("workspaceGid", "")),
                   trigger=obj.get("trigger"), status=str(obj.get("status", "")),
                   started_at=obj.get("startedAt"), finished_at=obj.get("finishedAt"),
                   counts=obj.get("counts"), api_calls=obj.get("apiCalls"), error=obj.get("error"),
                   raw=dict(obj), rate_limited=obj.get("rateLimited"))


@dataclass(frozen=True)
class AuditEvent:
    """An audit event: ``{id, at, principal, method, params, result, outcome, prevHash, hash}``.

    ``params`` and ``result`` are JSON *text* with secrets removed (:meth:`params_json` /
    :meth:`result_json` decode them). ``method`` is the RPC method, also for the server host's
    offline commands (principal ``local:<os user>``; older databases also hold their former names
    such as ``tokens.create``); ``outcome`` e.g. ``"ok"``, ``"not_found"``,
    ``"partial"``. ``hash`` (hex SHA-256 over the event and ``prev_hash``) chains the log."""

    id: int
    at: Optional[str]
    principal: Optional[str]
    method: str
    params: Optional[str]
    result: Optional[str]
    outcome: Optional[str]
    prev_hash: Optional[str]
    hash: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    def params_json(self) -> Any:
        """``params`` decoded (``None`` if absent or not JSON)."""
        return _loads_or_none(self.params)

    def result_json(self) -> Any:
        """``result`` decoded (``None`` if absent or not JSON)."""
        return _loads_or_none(self.result)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "AuditEvent":
        return cls(id=int(obj.get("id", 0)), at=obj.get("at"), principal=obj.get("principal"),
                   method=str(obj.get("method", "")), params=obj.get("params"), result=obj.get("result"),
                   outcome=obj.get("outcome"), prev_hash=obj.get("prevHash"), hash=obj.get("hash"),
                   raw=dict(obj))


@dataclass(frozen=True)
class AuditPage:
    """One ``listAuditEvents`` page: ``{items, nextCursor?}``, newest first."""

    items: List[AuditEvent]
    next_cursor: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "AuditPage":
        return cls(items=[AuditEvent.from_json(i) for i in _items(obj)], next_cursor=obj.get("nextCursor"),
                   raw=dict(obj))


def _loads_or_none(text: Optional[str]) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _items(result: Any) -> List[Dict[str, Any]]:
    items = result.get("items") if isinstance(result, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _drop_none(**params: Any) -> Dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class Client:
    """One TLS connection to asana-accessd.

    Args:
        host: host name or IP address to dial (the server certificate must name it, or name
            ``server_hostname``).
        port: TCP port (the server's default is 7443).
        cafile: PEM file of the CA that signed the server certificate; ``None`` uses the system
            trust store.
        certfile, keyfile: PEM client certificate and key, for mutual TLS (both or neither).
        token: an API token (``aat_…``); when given, :meth:`authenticate` runs right after
            connecting and its failure is raised from the constructor.
        server_hostname: the name to check the server certificate against and send as SNI
            (default: ``host``). For an IP address no SNI is sent and the IP SANs are checked.
        timeout: seconds to wait for the connection and for each answer (a ``sync`` of a large
            workspace can take minutes); ``None`` waits forever.
        max_line_bytes: longest answer line accepted (default 64 MiB); a longer one raises
            :class:`ConnectionFailed`.
        on_notification: default handler ``(method, params)`` for server notifications
            (e.g. ``sync.progress``) met while waiting for an answer; ``None`` skips them.

    Raises:
        ConnectionFailed: the TCP connection or TLS handshake failed, or the certificate files
            cannot be read.
        RpcError: ``token`` was given and ``authenticate`` failed (``-32003 auth.failed``).
        ValueError: only one of ``certfile``/``keyfile`` given.

    The connection opens in the constructor; use the client as a context manager (or call
    :meth:`close`). With a server that requires mutual TLS and no client certificate, TLS 1.3
    lets the handshake finish on the client side; the refusal then surfaces as
    :class:`ConnectionFailed` on the first call.
    """

    def __init__(
        self,
        host: str,
        port: int,
        cafile: Optional[str],
        certfile: Optional[str] = None,
        keyfile: Optional[str] = None,
        token: Optional[str] = None,
        server_hostname: Optional[str] = None,
        timeout: Optional[float] = 600,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        on_notification: Optional[NotificationHandler] = None,
    ) -> None:
        if (certfile is None) != (keyfile is None):
            raise ValueError("certfile and keyfile go together: give both or neither")
        self.host = host
        self.port = int(port)
        self.timeout = timeout
        self.max_line_bytes = int(max_line_bytes)
        self.on_notification = on_notification
        self.identity: Optional[Identity] = None
        self._next_id = 1
        self._buffer = bytearray()
        self._sock: Optional[ssl.SSLSocket] = None

        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.check_hostname = True
            context.verify_mode = ssl.CERT_REQUIRED
            if cafile is not None:
                context.load_verify_locations(cafile=cafile)
            else:
                context.load_default_certs(ssl.Purpose.SERVER_AUTH)
            if certfile is not None:
                context.load_cert_chain(certfile=certfile, keyfile=keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectionFailed(f"cannot set up TLS: {exc}") from exc

        raw: Optional[socket.socket] = None
        try:
            raw = socket.create_connection((host, self.port), timeout=timeout)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = context.wrap_socket(raw, server_hostname=server_hostname or host)
            self._sock.settimeout(timeout)
        except (OSError, ssl.SSLError) as exc:
            if raw is not None:
                raw.close()
            raise ConnectionFailed(f"cannot connect to {host}:{port}: {exc}") from exc

        if token is not None:
            try:
                self.authenticate(token)
            except BaseException:
                self.close()
                raise

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """``True`` once :meth:`close` ran or the connection broke."""
        return self._sock is None

    @property
    def tls_version(self) -> Optional[str]:
        """The negotiated TLS version, e.g. ``"TLSv1.3"`` (``None`` when closed)."""
        return self._sock.version() if self._sock is not None else None

    def close(self) -> None:
        """Closes the connection (idempotent)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    # -- the generic call -----------------------------------------------------------------

    def call(self, method: str, params: Params = None,
             on_notification: Optional[NotificationHandler] = None) -> Any:
        """Sends one request and returns its ``result``.

        Args:
            method: the method name, e.g. ``"listUsers"``.
            params: the params object (by name), or ``None`` for no params.
            on_notification: handler ``(method, params)`` for notifications that arrive before
                the answer (default: the client's ``on_notification``, else they are skipped).

        Returns:
            The answer's ``result`` (a dict for every method of protocol 1.0).

        Raises:
            RpcError: the answer is an error (also an ``"id": null`` error, which the server
                sends for a line it could not read: too long, not JSON, not a request).
            ConnectionFailed: the connection broke or timed out; the client is then closed.
        """
        request_id = self._next_id
        self._next_id += 1
        request: Dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            request["params"] = dict(params)
        self._send_line(request)
        handler = on_notification if on_notification is not None else self.on_notification
        while True:
            message = self._read_message()
            if isinstance(message, list):
                continue  # a batch answer cannot be ours: we sent a single request
            if "id" not in message:
                self._dispatch_notification(message, handler)
                continue
            answer_id = message.get("id")
            if answer_id == request_id and not isinstance(answer_id, bool):
                return self._result_of(message)
            if answer_id is None and "error" in message:
                # The server could not read our line (e.g. limit.line_bytes): it is our answer.
                raise RpcError.from_error_object(message["error"])
            # An answer to some other id: not ours (we send one request at a time); skip it.

    def notify(self, method: str, params: Params = None) -> None:
        """Sends a notification (a request without ``id``): it runs, and gets no answer."""
        request: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            request["params"] = dict(params)
        self._send_line(request)

    def batch(self, calls: Sequence[Tuple[str, Params]],
              on_notification: Optional[NotificationHandler] = None) -> List[Union[Any, RpcError]]:
        """Sends ``calls`` (``[(method, params), …]``, at most 100) as one JSON-RPC batch.

        The server runs a batch's requests concurrently, ``authenticate`` included, so do not
        put ``authenticate`` and a call that depends on it in one batch.

        Returns:
            One entry per call, in order: the ``result``, or an :class:`RpcError` instance
            (returned, not raised).

        Raises:
            RpcError: the batch as a whole was refused (e.g. ``limit.batch_length``).
            ConnectionFailed: as for :meth:`call`.
        """
        if not calls:
            raise ValueError("a batch needs at least one call")
        first = self._next_id
        requests = []
        for offset, (method, params) in enumerate(calls):
            request: Dict[str, Any] = {"jsonrpc": "2.0", "id": first + offset, "method": method}
            if params is not None:
                request["params"] = dict(params)
            requests.append(request)
        self._next_id += len(calls)
        self._send_line(requests)
        handler = on_notification if on_notification is not None else self.on_notification
        while True:
            message = self._read_message()
            if isinstance(message, dict):
                if "id" not in message:
                    self._dispatch_notification(message, handler)
                    continue
                if message.get("id") is None and "error" in message:
                    raise RpcError.from_error_object(message["error"])
                continue
            by_id: Dict[Any, Any] = {a.get("id"): a for a in message if isinstance(a, dict)}
            if not any(first <= k < first + len(calls) for k in by_id if isinstance(k, int)):
                continue
            out: List[Union[Any, RpcError]] = []
            for offset in range(len(calls)):
                answer = by_id.get(first + offset)
                if answer is None:
                    out.append(RpcError(RpcError.INTERNAL_ERROR, "client.missing_answer",
                                        "the batch answer has no entry for this call", {}))
                elif "error" in answer:
                    out.append(RpcError.from_error_object(answer["error"]))
                else:
                    out.append(answer.get("result"))
            return out

    # -- typed methods --------------------------------------------------------------------

    def ping(self) -> PingResult:
        """``ping``: server and protocol version, and the connection's identity (if any).

        Returns: :class:`PingResult`. Raises: :class:`ConnectionFailed`.
        """
        return PingResult.from_json(self.call("ping"))

    def discover(self) -> Dict[str, Any]:
        """``rpc.discover`` (reader): the server's OpenRPC document ``{openrpc, info: {title,
        version}, methods: [{name, summary, paramStructure, params: [{name, required, schema}],
        result: {name, required, schema}, x-minimumRole}], components: {errors}}``; every schema
        is a JSON Schema (draft 7)."""
        return self.call("rpc.discover")

    def method_names(self) -> List[str]:
        """The method names listed by ``rpc.discover``."""
        return [m.get("name") for m in self.discover().get("methods", []) if isinstance(m, dict)]

    def authenticate(self, token: str) -> Identity:
        """``authenticate``: presents an API token; the connection then runs as
        ``token:<name>`` with the token's role (also stored in :attr:`identity`), replacing any
        identity from the client certificate. A failure leaves the identity as it was.

        Raises:
            RpcError: ``-32003 auth.failed`` (wrong, altered or revoked token; the server waits
                250 ms, doubling per failure on the connection), ``-32004
                auth.too_many_attempts`` after 5 failures (open a new connection),
                ``-32602`` (``token`` missing or not a string).
        """
        identity = Identity.from_json(self.call("authenticate", {"token": token}))
        self.identity = identity
        return identity

    def sync(self, workspace: str, progress: Optional[bool] = None,
             on_progress: Optional[Callable[[Dict[str, Any]], None]] = None) -> SyncResult:
        """``sync`` (operator): pulls the workspace from Asana into a new snapshot.

        Args:
            workspace: workspace gid (digits, as a string).
            progress: ask for ``sync.progress`` notifications; defaults to ``True`` when
                ``on_progress`` is given.
            on_progress: called with the params of each notification that belongs to this call
                (its ``requestId`` is this request's id), e.g. ``{"workspace": "1000", "phase":
                "workspaceMemberships", "done": 0, "total": None, "requestId": 2}``; ``workspace``
                first, then ``workspaceMemberships`` (``users`` only when the memberships are refused)
                beside ``teams`` and ``teamMemberships``, interleaved; ``commit`` last.

        Returns: :class:`SyncResult`.

        Raises:
            RpcError: ``-32001``/``-32002`` (needs operator or admin), ``1003
                credential.missing``, ``1004 credential.unreadable``, ``1020 sync.in_progress``,
                ``1100``–``1105`` upstream errors (nothing is committed then).
        """
        if progress is None and on_progress is not None:
            progress = True

        request_id = self._next_id  # the id call() gives the sync request

        def handler(method: str, params: Dict[str, Any]) -> None:
            if method == "sync.progress" and on_progress is not None:
                if params.get("requestId") == request_id:
                    on_progress(params)
            elif self.on_notification is not None:
                self.on_notification(method, params)

        return SyncResult.from_json(self.call("sync", _drop_none(workspace=workspace, progress=progress),
                                              on_notification=handler))

    def list_users(self, workspace: str, active: Optional[bool] = None, admin: Optional[bool] = None,
                   guest: Optional[bool] = None, team: Optional[str] = None, query: Optional[str] = None,
                   include_departed: Optional[bool] = None, limit: Optional[int] = None,
                   cursor: Optional[str] = None, changed_since: Union[str, int, None] = None,
                   fields: Optional[Sequence[str]] = None, as_of: Union[str, int, None] = None) -> UserPage:
        """``listUsers`` (reader): one page of the workspace's last snapshot, sorted by name
        (case-insensitive) then gid. ``None`` leaves a filter out.

        Args:
            workspace: workspace gid.
            active, admin, guest: membership flag filters (unknown flags match neither value).
            team: team gid or exact name.
            query: case-insensitive substring of name or email.
            include_departed: include people who left (default ``False``).
            limit: page size 1–1000 (server default 100).
            cursor: ``next_cursor`` of the previous page, with the same filters.
            changed_since: only people added, updated or departed strictly after this: an ISO 8601
                time (``str``) or a sync run id (``int``, after that run finished). Departed people
                are then included, and each user has ``change``.
            fields: only these members of each user (``gid`` always), e.g. ``["email", "teams"]``.
            as_of: the picture as of a past moment instead of the last snapshot: an ISO 8601 time or
                date (``str``; a date means the end of that UTC day) or a sync run id (``int``: as that
                run left it). Not with ``changed_since``. The page's ``as_of`` says which run it stands on.

        Returns: :class:`UserPage` (``next_cursor`` is ``None`` on the last page).

        Raises:
            RpcError: ``1001 workspace.not_synced``, ``1010 team.not_found``, ``1011
                team.ambiguous`` (``data.gids``), ``1030 sync_run.not_found`` (``changed_since``, ``as_of``),
                ``1031 history.before_first_sync`` (``as_of`` before any sync committed),
                ``-32602`` (bad limit, cursor, time or field name; ``data.field``),
                ``-32001``/``-32002``.
        """
        if isinstance(changed_since, bool) or isinstance(as_of, bool):
            raise TypeError("changed_since and as_of must be an ISO 8601 str or a sync run id int")
        params = _drop_none(workspace=workspace, active=active, admin=admin, guest=guest, team=team,
                            query=query, includeDeparted=include_departed, limit=limit, cursor=cursor,
                            changedSince=changed_since, asOf=as_of,
                            fields=list(fields) if fields is not None else None)
        return UserPage.from_json(self.call("listUsers", params))

    def list_access_changes(self, workspace: str, since: Union[str, int], until: Union[str, int, None] = None,
                            person: Optional[str] = None, kinds: Optional[Sequence[str]] = None,
                            limit: Optional[int] = None, cursor: Optional[str] = None) -> AccessChangePage:
        """``listAccessChanges`` (reader): one page of the changes of people's access observed in a
        window, oldest first.

        Args:
            workspace: workspace gid or exact name.
            since: an ISO 8601 time (included), a date (from its start, UTC) or a sync run id
                (``int``: the changes after that run).
            until: same forms; a time is excluded, a date included whole, a run id includes that
                run's changes. ``None``: until now.
            person: only this person's changes (user gid or email).
            kinds: only these kinds, e.g. ``["adminGranted", "adminRevoked"]``.
            limit: page size 1–1000 (server default 100).
            cursor: ``next_cursor`` of the previous page, with the same params.

        Raises:
            RpcError: ``1001 workspace.not_synced``, ``1030 sync_run.not_found``, ``-32602`` (bad
                moment, empty window or ``kinds``, unknown person, bad limit or cursor; ``data.field``).
        """
        if isinstance(since, bool) or isinstance(until, bool):
            raise TypeError("since and until must be an ISO 8601 str or a sync run id int")
        params = _drop_none(workspace=workspace, since=since, until=until, person=person,
                            kinds=list(kinds) if kinds is not None else None, limit=limit, cursor=cursor)
        return AccessChangePage.from_json(self.call("listAccessChanges", params))

    def export_access_review(self, workspace: str, format: str = "csv", as_of: Union[str, int, None] = None) -> Tuple[str, Dict[str, Any]]:
        """``exportAccessReview`` (reader): the whole access review file of a workspace as of a moment,
        fetched chunk by chunk (the server audits the export once).

        Args:
            workspace: workspace gid or exact name.
            format: ``"csv"`` (RFC 4180, UTF-8 with a byte order mark, CRLF, one row per person and
                team) or ``"jsonl"`` (one user object per line).
            as_of: an ISO 8601 time or date (a date means the end of that UTC day) or a sync run id;
                ``None``: now.

        Returns: ``(text, as_of)``: the file's text and ``{time, syncRunId, historyFrom}``.

        Raises:
            RpcError: ``1001 workspace.not_synced``, ``1031 history.before_first_sync``,
                ``1030 sync_run.not_found``, ``-32602``.
        """
        if isinstance(as_of, bool):
            raise TypeError("as_of must be an ISO 8601 str or a sync run id int")
        params = _drop_none(workspace=workspace, format=format, asOf=as_of)
        parts: List[str] = []
        stands: Dict[str, Any] = {}
        while True:
            answer = self.call("exportAccessReview", params)
            parts.append(str(answer.get("chunk", "")))
            stands = dict(answer.get("asOf") or {})
            cursor = answer.get("nextCursor")
            if not cursor:
                return "".join(parts), stands
            if cursor == params.get("cursor"):
                raise ConnectionFailed("exportAccessReview returned the same cursor twice")
            params = {"workspace": workspace, "format": format, "cursor": cursor}

    def iter_access_changes(self, workspace: str, since: Union[str, int], until: Union[str, int, None] = None,
                            person: Optional[str] = None, kinds: Optional[Sequence[str]] = None,
                            limit: Optional[int] = None) -> Iterator[AccessChange]:
        """Every change in the window, oldest first, following ``nextCursor``. Raises as
        :meth:`list_access_changes`."""
        cursor: Optional[str] = None
        while True:
            page = self.list_access_changes(workspace, since, until=until, person=person, kinds=kinds,
                                            limit=limit, cursor=cursor)
            yield from page.changes
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def iter_users(self, workspace: str, active: Optional[bool] = None, admin: Optional[bool] = None,
                   guest: Optional[bool] = None, team: Optional[str] = None, query: Optional[str] = None,
                   include_departed: Optional[bool] = None, limit: Optional[int] = None) -> Iterator[User]:
        """Every user matching the filters, following ``nextCursor`` page by page
        (``limit`` is the page size). Raises as :meth:`list_users`."""
        cursor: Optional[str] = None
        while True:
            page = self.list_users(workspace, active=active, admin=admin, guest=guest, team=team,
                                   query=query, include_departed=include_departed, limit=limit,
                                   cursor=cursor)
            yield from page.users
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def provision(self, workspace: str, email: str, action: str,
                  teams: Optional[Sequence[str]] = None, dry_run: Optional[bool] = None,
                  idempotency_key: Optional[str] = None, allow_guest: Optional[bool] = None) -> ProvisionResult:
        """``provision`` (admin): adds one person to, or removes them from, a workspace and teams.

        Args:
            workspace: workspace gid.
            email: the person's email address.
            action: ``"add"`` or ``"remove"``.
            teams: team gids or exact names (not empty: leave it ``None`` to act on the
                workspace). ``add``: teams to join after the workspace. ``remove``: leave only
                these teams. ``remove`` without teams leaves the workspace.
            dry_run: ``True`` reads Asana's state and answers with what would happen and the
                exact calls (``targets[].calls``), changing nothing.
            idempotency_key: 1–128 printable ASCII characters; the same key with the same
                params returns the stored answer for 24 hours without calling Asana again
                (``1050 idempotency.conflict`` with other params).
            allow_guest: ``True`` lets ``add`` invite an email outside the organization's email
                domains (the person joins as a guest). Without it such an add is refused in its
                workspace target with ``1044 provision.outside_domain``, nothing sent to Asana.

        Returns:
            :class:`ProvisionResult`; each target's ``outcome`` is ``added``, ``invited``,
            ``alreadyMember``, ``removed``, ``notMember`` or ``failed`` (with ``error``, e.g.
            ``1040 provision.self_removal``). A failed step is reported in the result, not raised.

        Raises:
            RpcError: ``-32602`` (bad email, action or empty teams; ``data.field``), ``1003
                credential.missing``, ``1010``/``1011`` (teams are resolved before anything
                changes), ``1100``–``1105`` upstream errors before any step ran, ``-32002``.
        """
        params = _drop_none(workspace=workspace, email=email, action=action,
                            teams=list(teams) if teams is not None else None, dryRun=dry_run,
                            idempotencyKey=idempotency_key, allowGuest=allow_guest)
        return ProvisionResult.from_json(self.call("provision", params))

    def provision_many(self, workspace: str, users: Sequence[Mapping[str, Any]],
                       dry_run: Optional[bool] = None, idempotency_key: Optional[str] = None,
                       allow_guest: Optional[bool] = None) -> BulkProvisionResult:
        """``provision`` with ``users`` (admin): several people at once, 1 to 500 entries of
        ``{"email": …, "action": "add"|"remove", "teams": [...]?}``. The server runs people
        concurrently (at most 8 at a time); one person's failure never stops the others.

        Returns: :class:`BulkProvisionResult` (``results`` in the order given).
        ``allow_guest`` applies to every person (see :meth:`provision`).

        Raises: as :meth:`provision`; ``data.field`` names e.g. ``users[1].email``.
        """
        params = _drop_none(workspace=workspace, users=[dict(u) for u in users], dryRun=dry_run,
                            idempotencyKey=idempotency_key, allowGuest=allow_guest)
        return BulkProvisionResult.from_json(self.call("provision", params))

    def create_token(self, name: str, role: str) -> CreatedToken:
        """``createToken`` (admin): a new API token. ``name``: 1–64 of ``A-Z a-z 0-9 . _ -``,
        never used before (names stay taken after revocation); ``role``: ``reader``,
        ``operator`` or ``admin``. Returns :class:`CreatedToken` (the text is shown once).
        Raises :class:`RpcError` ``-32602`` (``data.field`` ``name`` or ``role``)."""
        result = self.call("createToken", {"name": name, "role": role})
        return CreatedToken(token=str(result.get("token", "")),
                            summary=TokenSummary.from_json(result.get("summary") or {}))

    def list_tokens(self) -> List[TokenSummary]:
        """``listTokens`` (admin): every token, revoked ones included (``revoked_at`` set)."""
        return [TokenSummary.from_json(i) for i in _items(self.call("listTokens"))]

    def revoke_token(self, name: str) -> bool:
        """``revokeToken`` (admin): ``True`` if an active token of that name was revoked,
        ``False`` if there was none. Connections already authenticated with it keep working."""
        return bool(self.call("revokeToken", {"name": name}).get("done"))

    def put_credential(self, workspace: str, purpose: str, secret: str, kind: str = "pat",
                       force: bool = False, check: bool = True) -> Credential:
        """``putCredential`` (admin): checks the credential against Asana (reads only, as
        ``testCredential`` does), then seals and stores it, replacing the old one.
        ``purpose``: ``provision`` or ``sync``; ``kind``: ``pat`` or ``oauth``. ``force``: store a
        ``provision`` credential whose user is not an admin; ``check=False``: store without asking
        Asana (``workspace`` must then be a gid). The secret is never returned. Raises
        :class:`RpcError` ``1007 credential.checks_failed`` (``data.checks``; nothing stored),
        ``-32602`` for a bad purpose or kind."""
        params: Dict[str, Any] = {"workspace": workspace, "purpose": purpose, "kind": kind, "secret": secret}
        if force:
            params["force"] = True
        if not check:
            params["check"] = False
        return Credential.from_json(self.call("putCredential", params))

    def list_credentials(self) -> List[Credential]:
        """``listCredentials`` (admin): stored credentials (fingerprints only)."""
        return [Credential.from_json(i) for i in _items(self.call("listCredentials"))]

    def delete_credential(self, workspace: str, purpose: str) -> bool:
        """``deleteCredential`` (admin): ``True`` if a credential was deleted."""
        return bool(self.call("deleteCredential", {"workspace": workspace, "purpose": purpose}).get("done"))

    def put_oauth_client(self, client_id: str, client_secret: str) -> OAuthClient:
        """``putOAuthClient`` (admin): seals and stores an OAuth app's client secret, replacing
        the old one. ``client_id`` and ``client_secret``: 1 to 512 bytes each. The secret is
        never returned. Returns :class:`OAuthClient` ``{clientId, fingerprint, createdAt,
        updatedAt}``. Raises :class:`RpcError` ``-32602`` (``data.field``), ``-32002``."""
        return OAuthClient.from_json(self.call("putOAuthClient", {"clientId": client_id,
                                                                  "clientSecret": client_secret}))

    def list_oauth_clients(self) -> List[OAuthClient]:
        """``listOAuthClients`` (admin): the stored OAuth apps (fingerprints only)."""
        return [OAuthClient.from_json(i) for i in _items(self.call("listOAuthClients"))]

    def delete_oauth_client(self, client_id: str) -> bool:
        """``deleteOAuthClient`` (admin): deletes a stored OAuth app; ``False`` if none had that id.
        Credentials the app issued stay but can no longer be refreshed."""
        return bool(self.call("deleteOAuthClient", {"clientId": client_id}).get("done"))

    def oauth_start(self, workspace: str, client_id: str, redirect_uri: str,
                    scopes: Optional[Sequence[str]] = None, purpose: Optional[str] = None) -> OAuthStart:
        """``oauthStart`` (admin): begins Asana's OAuth authorization-code flow (with PKCE).

        Args:
            workspace: gid or exact name; checked (a name resolved) with the granted token at
                :meth:`oauth_finish`.
            client_id: an app stored with :meth:`put_oauth_client`.
            redirect_uri: exactly as registered for the app in Asana: an ``https`` URL, a
                loopback ``http`` URL (``127.0.0.1``, ``[::1]``, ``localhost``) or
                ``urn:ietf:wg:oauth:2.0:oob``; no fragment, at most 2,048 bytes.
            scopes: 1 to 64 scope names (duplicates dropped). Default for ``sync``: the
                access-sync set (``openid email profile users:read teams:read
                team_memberships:read workspaces:read workspaces.typeahead:read``); for
                ``provision``: ``["default"]`` (full permissions), which cannot be combined with
                others; other names are ``openid``, ``email``, ``profile`` or
                ``<resource>:<action>``.
            purpose: ``"sync"`` (server default) or ``"provision"``.

        Returns: :class:`OAuthStart`: open ``authorize_url``; Asana redirects to
        ``redirect_uri?code=…&state=…``. The authorization waits 10 minutes.

        Raises:
            RpcError: ``1061 oauth.client_unknown``, ``-32602`` (bad workspace, redirect URI,
                scope or purpose; ``data.field``), ``-32000 limit.oauth_pending`` (1,000
                authorizations already wait), ``-32002``.
        """
        params = _drop_none(workspace=workspace, clientId=client_id, redirectUri=redirect_uri,
                            scopes=list(scopes) if scopes is not None else None, purpose=purpose)
        return OAuthStart.from_json(self.call("oauthStart", params))

    def oauth_finish(self, state: str, code: str, force: Optional[bool] = None) -> OAuthFinishResult:
        """``oauthFinish`` (admin): exchanges the ``code`` Asana's redirect gave for ``state``
        (each 1 to 4,096 bytes, as received, percent-decoded) and stores the tokens, sealed, as
        the ``oauth`` credential of the started (workspace, purpose), replacing the one there.
        A state can be finished once, whatever the outcome. The connection test runs first with the
        granted token; ``force=True`` stores a ``provision`` grant whose user is not an admin.

        Returns: :class:`OAuthFinishResult` (never a token).

        Raises:
            RpcError: ``1066 oauth.checks_failed`` (``data.checks``; nothing stored),
                ``1060 oauth.unknown_state`` (never started, already finished, or expired),
                ``1062 oauth.exchange_refused`` (``data.asanaError``, e.g. ``invalid_grant``),
                ``1063 oauth.workspace_not_granted`` (``data.workspaces``), ``1005
                workspace.ambiguous_name``, ``1100``–``1105`` when Asana is unreachable,
                ``-32602``, ``-32002``.
        """
        return OAuthFinishResult.from_json(self.call("oauthFinish", _drop_none(state=state, code=code, force=force)))

    def list_sync_runs(self, workspace: Optional[str] = None, limit: Optional[int] = None) -> List[SyncRun]:
        """``listSyncRuns`` (reader): recent sync runs, newest first; ``limit`` 1–1000
        (server default 50)."""
        return [SyncRun.from_json(i) for i in _items(self.call("listSyncRuns", _drop_none(workspace=workspace, limit=limit)))]

    def get_sync_run(self, run_id: int) -> SyncRun:
        """``getSyncRun`` (reader): one run by its integer id.
        Raises :class:`RpcError` ``1030 sync_run.not_found``."""
        return SyncRun.from_json(self.call("getSyncRun", {"id": int(run_id)}))

    def test_credential(self, workspace: str, purpose: str) -> Dict[str, Any]:
        """``testCredential`` (admin): checks the stored ``purpose`` (``sync`` or ``provision``)
        credential of ``workspace`` against Asana, reading only. Returns the answer as a dict:
        ``workspace`` ``{gid, name}``, ``purpose``, ``ok`` (every check passed), ``checks``
        ``[{name, ok, detail, fix}]`` in the order they ran, ``capabilities``
        ``{membershipFlags, teams}``. Raises :class:`RpcError` ``1003 credential.missing``."""
        return dict(self.call("testCredential", {"workspace": workspace, "purpose": purpose}))

    def get_workspace_status(self, workspace: str) -> Dict[str, Any]:
        """``getWorkspaceStatus`` (reader): ``workspace`` is a gid or an exact name. Returns the
        answer as a dict: ``workspace`` ``{gid, name}``, ``credentials`` (purpose, kind,
        fingerprint, updatedAt), ``lastRun`` (a sync run or ``None``), ``nextScheduledRunAt``,
        ``schedule`` (``active``, ``paused`` or ``disabled``), ``pausedReason`` and
        ``capabilities`` (``None`` until a sync succeeded since the server started)."""
        return dict(self.call("getWorkspaceStatus", {"workspace": workspace}))

    def list_audit_events(self, since: Optional[str] = None, principal: Optional[str] = None,
                          method: Optional[str] = None, limit: Optional[int] = None,
                          cursor: Optional[str] = None) -> AuditPage:
        """``listAuditEvents`` (admin): one page of audit events, newest first.

        Args:
            since: ISO 8601 date-time (``"2026-11-29T09:00:00Z"``): events at or after it.
            principal: exact principal, e.g. ``"token:ci-admin"``.
            method: exact method, e.g. ``"provision"`` or ``"putCredential"``.
            limit: 1–1000 (server default 100).
            cursor: ``next_cursor`` of the previous page, with the same filters.

        Returns: :class:`AuditPage`. Raises: :class:`RpcError` ``-32602`` for a bad ``since``,
        ``cursor`` or ``limit``.
        """
        params = _drop_none(since=since, principal=principal, method=method, limit=limit, cursor=cursor)
        return AuditPage.from_json(self.call("listAuditEvents", params))

    def iter_audit_events(self, since: Optional[str] = None, principal: Optional[str] = None,
                          method: Optional[str] = None, limit: Optional[int] = None) -> Iterator[AuditEvent]:
        """Every audit event matching the filters, newest first, following ``nextCursor``
        (``limit`` is the page size)."""
        cursor: Optional[str] = None
        while True:
            page = self.list_audit_events(since=since, principal=principal, method=method, limit=limit, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    # -- wire -----------------------------------------------------------------------------

    def _require_socket(self) -> ssl.SSLSocket:
        if self._sock is None:
            raise ConnectionFailed("the connection is closed")
        return self._sock

    def _send_line(self, message: Any) -> None:
        line = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8") + b"\n"
        sock = self._require_socket()
        try:
            sock.sendall(line)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise ConnectionFailed(f"sending to {self.host}:{self.port} failed: {exc}") from exc

    def _read_line(self) -> bytes:
        """The next non-blank line, without its LF (and one CR before it)."""
        sock = self._require_socket()
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[:newline + 1]
                if line.endswith(b"\r"):
                    line = line[:-1]
                if len(line) > self.max_line_bytes:
                    self.close()
                    raise ConnectionFailed(f"answer line longer than {self.max_line_bytes} bytes")
                if line.strip(b" \t") == b"":
                    continue  # keep-alive / blank line
                return line
            if len(self._buffer) > self.max_line_bytes:
                self.close()
                raise ConnectionFailed(f"answer line longer than {self.max_line_bytes} bytes")
            try:
                chunk = sock.recv(1 << 16)
            except socket.timeout as exc:
                self.close()
                raise ConnectionFailed(f"no answer from {self.host}:{self.port} within {self.timeout} s") from exc
            except (OSError, ssl.SSLError) as exc:
                self.close()
                raise ConnectionFailed(f"reading from {self.host}:{self.port} failed: {exc}") from exc
            if not chunk:
                self.close()
                raise ConnectionFailed(f"{self.host}:{self.port} closed the connection")
            self._buffer += chunk

    def _read_message(self) -> Union[Dict[str, Any], List[Any]]:
        line = self._read_line()
        try:
            message = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self.close()
            raise ConnectionFailed(f"the server sent a line that is not JSON: {exc}") from exc
        if not isinstance(message, (dict, list)):
            self.close()
            raise ConnectionFailed("the server sent a JSON value that is neither an object nor an array")
        return message

    @staticmethod
    def _dispatch_notification(message: Dict[str, Any], handler: Optional[NotificationHandler]) -> None:
        method = message.get("method")
        if handler is not None and isinstance(method, str):
            params = message.get("params")
            handler(method, params if isinstance(params, dict) else {})

    @staticmethod
    def _result_of(message: Dict[str, Any]) -> Any:
        if "error" in message:
            raise RpcError.from_error_object(message["error"])
        return message.get("result")
