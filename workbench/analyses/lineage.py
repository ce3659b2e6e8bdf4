"""Identity lineage: whose credentials these really are.

A temporary key (``ASIA...``) was issued by one call (STS ``AssumeRole`` and its SAML and web
identity forms, ``GetSessionToken``, ``GetFederationToken``, IAM Identity Center's
``GetRoleCredentials``), and that call was made with other credentials, themselves perhaps issued
by another call: a tree whose root is a long-term key, a person or an AWS service. These functions
build that tree from the rows of the ``credentials_issued`` query and attribute what every key of
it did (rows of ``events_by_entity``) to its root and hop; :func:`workbench.lineage` runs the
queries.

A cross-account ``AssumeRole`` is written twice, in the caller's account and in the role's, tied
by ``sharedEventID``; only the caller's copy names the key that made the call, so the two are
merged into one issuance.
"""

from __future__ import annotations

import pandas as pd

#: Columns of :func:`tree`: one row per credential.
CREDENTIAL_COLUMNS = [
    "access_key_id", "hop", "parent_access_key_id", "root_access_key_id", "origin", "principal", "account_id",
    "issued_by", "issued_at", "issue_event_ids", "shared_event_id", "role_arn", "role_session_name",
    "source_identity", "issued_from_ip", "reason",
]

#: Columns of :func:`timeline`: an event, whose credential it was, that credential's hop and root.
TIMELINE_COLUMNS = [
    "event_time", "root_access_key_id", "origin", "hop", "credential", "account_id", "region", "event_id",
    "event_source", "event_name", "error_code", "source_ip", "principal", "principal_type", "user_agent",
]

#: The role of an IAM Identity Center permission set: ``AWSReservedSSO_<permission set>_<suffix>``.
SSO_ROLE_PREFIX = "AWSReservedSSO_"

NOT_IN_WINDOW = ("not issued in the window read (issued before it, or written in an account or region "
                 "not read): widen the padding or the scope to reach further")


def _text(value) -> str | None:
    """A cell as text, None for missing values and empty strings."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text or None


def issuances(issued: pd.DataFrame) -> pd.DataFrame:
    """The calls that issued each key: one row per issued key (rows of ``credentials_issued``).

    The two copies of a cross-account ``AssumeRole`` (same ``shared_event_id``) become one row: the
    caller's details from the copy that names the caller's key, both event ids in
    ``issue_event_ids``. ``GetRoleCredentials`` rows, which name no key, are left out (:func:`sso_match`).

    Examples
    --------
    >>> rows = pd.DataFrame({"event_time": [pd.Timestamp("2026-11-04 02:07", tz="UTC")] * 2,
    ...     "event_id": ["in-role-account", "in-caller-account"], "shared_event_id": ["s1", "s1"],
    ...     "event_name": ["AssumeRole"] * 2, "issued_access_key_id": ["ASIA2", "ASIA2"],
    ...     "caller_type": ["AWSAccount", "AssumedRole"], "caller_access_key_id": [None, "ASIA1"]})
    >>> one = issuances(rows).iloc[0]
    >>> one.access_key_id, one.parent_access_key_id, one.issue_event_ids
    ('ASIA2', 'ASIA1', ['in-caller-account', 'in-role-account'])
    """
    columns = ["access_key_id", "parent_access_key_id", "issue_event_ids", *issued.columns]
    if issued.empty:
        return pd.DataFrame(columns=columns)
    rows = issued.copy()
    keys = rows.issued_access_key_id.map(_text)
    if "shared_event_id" in rows:
        by_shared = {s: k for s, k in zip(rows.shared_event_id.map(_text), keys) if s and k}
        keys = pd.Series([k or by_shared.get(_text(s)) for k, s in zip(keys, rows.shared_event_id)], index=rows.index)
    rows["access_key_id"] = keys
    rows = rows[rows.access_key_id.notna()]
    rows["_named"] = rows.caller_access_key_id.map(_text).notna()
    out = []
    for _, group in rows.groupby("access_key_id", sort=False):
        group = group.sort_values(["_named", "event_id"], ascending=[False, True])
        first = group.iloc[0].drop("_named")
        first["parent_access_key_id"] = _text(first.caller_access_key_id)
        first["issue_event_ids"] = list(dict.fromkeys(group.event_id))
        out.append(first)
    if not out:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(out)[columns].sort_values("event_time").reset_index(drop=True)


def next_keys(issued: pd.DataFrame, known) -> set[str]:
    """Keys one step from ``known``: those that issued a known key, and those a known key issued.

    Examples
    --------
    >>> rows = pd.DataFrame({"event_time": [pd.Timestamp("2026-11-04", tz="UTC")], "event_id": ["e1"],
    ...     "shared_event_id": [None], "event_name": ["AssumeRole"], "issued_access_key_id": ["ASIA1"],
    ...     "caller_type": ["IAMUser"], "caller_access_key_id": ["AKIA1"]})
    >>> sorted(next_keys(rows, {"ASIA1"})), sorted(next_keys(rows, {"AKIA1"}))
    (['AKIA1'], ['ASIA1'])
    """
    known = set(known)
    calls = issuances(issued)
    found = set()
    for key, parent in zip(calls.access_key_id, [_text(v) for v in calls.parent_access_key_id]):
        if key in known and parent:
            found.add(parent)
        if parent in known:
            found.add(key)
    return found - known


def identities(events: pd.DataFrame) -> dict[str, dict]:
    """Who acted with each key, from the events made with it: principal, type, account, first use."""
    if events.empty:
        return {}
    rows = events[events.access_key_id.map(_text).notna()].sort_values("event_time")
    out = {}
    for key, group in rows.groupby("access_key_id", sort=False):
        first = group.iloc[0]
        out[key] = {"principal": _text(first.principal), "principal_type": _text(first.principal_type),
                    "account_id": _text(first.account_id), "first_used": first.event_time}
    return out


def sso_session(principal: str | None) -> tuple[str, str, str] | None:
    """``(account, permission set, session name)`` of an IAM Identity Center role session ARN, else None.

    Examples
    --------
    >>> sso_session("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123abcd/ana@example.com")
    ('111122223333', 'Admin', 'ana@example.com')
    >>> sso_session("arn:aws:sts::111122223333:assumed-role/deploy/session") is None
    True
    """
    parts = (principal or "").split(":")
    if len(parts) < 6 or not parts[5].startswith("assumed-role/"):
        return None
    _, role, *session = parts[5].split("/")
    if not role.startswith(SSO_ROLE_PREFIX) or not session:
        return None
    permission_set = role[len(SSO_ROLE_PREFIX):].rpartition("_")[0] or role[len(SSO_ROLE_PREFIX):]
    return parts[4], permission_set, "/".join(session)


def sso_users(events: pd.DataFrame, keys) -> list[str]:
    """The session names (IAM Identity Center user names) behind those of ``keys`` used by an SSO role."""
    seen = identities(events)
    names = [sso_session(seen.get(k, {}).get("principal")) for k in keys]
    return sorted({n[2] for n in names if n})


def sso_match(issued: pd.DataFrame, principal: str | None, first_used) -> pd.Series | None:
    """The ``GetRoleCredentials`` call that most likely opened an IAM Identity Center role session.

    The call names the account, the permission set and the user but no key: the match is the latest
    such call at or before the key's first use.
    """
    session = sso_session(principal)
    if session is None or issued.empty:
        return None
    account, permission_set, user = session
    calls = issued[(issued.event_name == "GetRoleCredentials") & (issued.sso_account_id == account)
                   & (issued.sso_role_name == permission_set)
                   & (issued.caller_user_name.map(lambda v: (_text(v) or "").lower()) == user.lower())]
    if first_used is not None and not pd.isna(first_used):
        calls = calls[pd.to_datetime(calls.event_time, utc=True) <= pd.Timestamp(first_used)]
    return None if calls.empty else calls.sort_values("event_time").iloc[-1]


def _caller_name(call) -> str:
    for column in ("caller_arn", "caller_user_name", "caller_principal_id", "caller_invoked_by"):
        value = _text(call.get(column))
        if value:
            return value
    return "an unnamed caller"


def _origin_of_issued(call) -> tuple[str, str]:
    """``(origin, reason)`` for a root key whose issuing call names no key to follow."""
    kind = _text(call.get("caller_type")) or ""
    service = _text(call.get("caller_invoked_by"))
    session = _text(call.get("role_session_name")) or ""
    what = f"issued by {call.event_name}"
    if service or kind == "AWSService":
        if service == "ec2.amazonaws.com" and session.startswith("i-"):
            return (f"instance profile of {session} (role {_text(call.get('role_arn'))})",
                    f"{what} from {service} for the instance's role")
        return f"AWS service {service or _caller_name(call)}", f"{what} from an AWS service"
    if kind == "SAMLUser":
        return f"SAML user {_caller_name(call)}", f"{what}: a person signed in through a SAML identity provider"
    if kind == "WebIdentityUser":
        return f"web identity {_caller_name(call)}", f"{what}: a token from a web identity provider"
    if kind == "AWSAccount":
        return (f"principal {_text(call.get('caller_principal_id'))} of account {_text(call.get('caller_account_id'))}",
                f"{what} from another account, whose own record of the call (shared event "
                f"{_text(call.get('shared_event_id'))}) is not in the logs read")
    return _caller_name(call), f"{what}, made without an access key on record"


def _origin_of_unissued(key: str, seen: dict) -> tuple[str, str]:
    """``(origin, reason)`` for a root key that no call in the window issued."""
    principal = seen.get("principal") or "an unknown principal"
    kind = seen.get("principal_type") or ""
    if key.startswith("AKIA"):
        return f"long-term key {key} of {principal}", "a long-term access key: nothing issues it"
    session = principal.rsplit("/", 1)[-1] if kind == "AssumedRole" else ""
    if session.startswith("i-"):
        return f"instance profile of {session} ({principal})", f"an instance's role credentials, {NOT_IN_WINDOW}"
    if sso_session(principal):
        return (f"IAM Identity Center user {sso_session(principal)[2]}",
                f"an IAM Identity Center session whose GetRoleCredentials call is {NOT_IN_WINDOW}")
    if kind in ("IAMUser", "Root"):
        return (f"{principal} (temporary key of a console sign-in or GetSessionToken)",
                f"temporary credentials of a user, {NOT_IN_WINDOW}")
    return f"temporary key {key} of {principal}", NOT_IN_WINDOW


def tree(issued: pd.DataFrame, start_keys, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The credentials of the trees that hold ``start_keys``: each key, its hop from the root, its issuer.

    Parameters
    ----------
    issued : DataFrame
        Rows of ``credentials_issued`` (every call that issued or was made with a key of the trees).
    start_keys : iterable of str
        The keys asked about.
    events : DataFrame, optional
        Rows of ``events_by_entity`` for the keys: who acted with each key, and when first.

    Returns
    -------
    DataFrame
        :data:`CREDENTIAL_COLUMNS`, roots first (hop 0), then each tree down, one row per key.
        ``origin`` names who is behind the root (a long-term key and its user, a person, an AWS
        service or instance); ``reason`` says why the walk stopped there.
    """
    events = events if events is not None else pd.DataFrame(columns=["access_key_id"])
    calls = issuances(issued)
    by_key = {row.access_key_id: row for _, row in calls.iterrows()}
    children: dict[str, list[str]] = {}
    for key, parent in zip(calls.access_key_id, [_text(v) for v in calls.parent_access_key_id]):
        if parent:
            children.setdefault(parent, []).append(key)
    seen = identities(events)
    rows, placed = [], set()
    for start in dict.fromkeys(k for k in start_keys if k):
        root, path = start, [start]
        while root in by_key and _text(by_key[root].parent_access_key_id) not in (None, *path):
            root = _text(by_key[root].parent_access_key_id)
            path.append(root)
        if root in placed:
            continue
        origin, reason, sso_call = _root(root, by_key, seen, issued)
        stack = [(root, 0, None)]
        while stack:
            key, hop, parent = stack.pop(0)
            if key in placed:
                continue
            placed.add(key)
            call = by_key.get(key)
            if call is None and sso_call is not None and key == root:
                call = sso_call
            rows.append(_node(key, hop, parent, root, origin, reason if key == root else None, call, seen.get(key, {})))
            stack += [(child, hop + 1, key) for child in children.get(key, [])]
    return pd.DataFrame(rows, columns=CREDENTIAL_COLUMNS)


def _root(root: str, by_key: dict, seen: dict, issued: pd.DataFrame):
    """``(origin, reason, GetRoleCredentials call or None)`` of a root key."""
    if root in by_key:
        origin, reason = _origin_of_issued(by_key[root])
        return origin, reason, None
    principal = seen.get(root, {}).get("principal")
    call = sso_match(issued, principal, seen.get(root, {}).get("first_used"))
    if call is not None:
        return (f"IAM Identity Center user {_text(call.caller_user_name)}",
                f"opened by GetRoleCredentials for permission set {_text(call.sso_role_name)} in account "
                f"{_text(call.sso_account_id)} (matched by account, role and user: the call records no key)", call)
    origin, reason = _origin_of_unissued(root, seen.get(root, {}))
    return origin, reason, None


def _node(key, hop, parent, root, origin, reason, call, seen: dict) -> dict:
    issued_by = None if call is None else _text(call.get("event_name"))
    event_ids = [] if call is None else list(call.get("issue_event_ids") or [call.get("event_id")])
    principal = seen.get("principal") or (None if call is None else _text(call.get("issued_arn")))
    account = seen.get("account_id") or _account_of(None if call is None else _text(call.get("issued_arn")))
    return {
        "access_key_id": key, "hop": hop, "parent_access_key_id": parent, "root_access_key_id": root,
        "origin": origin, "principal": principal, "account_id": account, "issued_by": issued_by,
        "issued_at": None if call is None else call.get("event_time"), "issue_event_ids": event_ids,
        "shared_event_id": None if call is None else _text(call.get("shared_event_id")),
        "role_arn": None if call is None else _text(call.get("role_arn")),
        "role_session_name": None if call is None else _text(call.get("role_session_name")),
        "source_identity": None if call is None else _text(call.get("source_identity")),
        "issued_from_ip": None if call is None else _text(call.get("source_ip")),
        "reason": reason,
    }


def _account_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] or None if len(parts) > 4 else None


def timeline(events: pd.DataFrame, credentials: pd.DataFrame, issued: pd.DataFrame | None = None) -> pd.DataFrame:
    """Everything done with every credential of the trees, attributed to its root and hop, oldest first.

    Parameters
    ----------
    events : DataFrame
        Rows of ``events_by_entity`` for the keys of ``credentials``.
    credentials : DataFrame
        :func:`tree`.
    issued : DataFrame, optional
        Rows of ``credentials_issued``: the issuing calls no key made (the role account's copy of a
        cross-account ``AssumeRole``; a service's, SAML or web identity call) are added, attributed
        to the credential that made the call when it is in the tree, else to the key issued.

    Returns
    -------
    DataFrame
        :data:`TIMELINE_COLUMNS`; ``credential`` is the key the event was made with (or attributed to).
    """
    if credentials.empty:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    node = credentials.set_index("access_key_id")
    mine = events[events.access_key_id.isin(node.index)].assign(credential=lambda f: f.access_key_id)
    parts = [mine]
    if issued is not None and not issued.empty:
        calls = issuances(issued)
        copies = issued.assign(access_key_id=issued.event_id.map(
            {e: k for k, ids in zip(calls.access_key_id, calls.issue_event_ids) for e in ids}))
        copies = copies[copies.access_key_id.isin(node.index) & ~copies.event_id.isin(set(mine.event_id))]
        if not copies.empty:
            parent = copies.access_key_id.map(node.parent_access_key_id)
            caller = copies.caller_access_key_id.map(_text)
            fallback = parent.where(parent.isin(node.index), copies.access_key_id)
            credential = caller.where(caller.isin(node.index), fallback)
            parts.append(pd.DataFrame({
                "event_time": copies.event_time, "account_id": copies.account_id, "region": copies.region,
                "event_id": copies.event_id, "event_source": copies.event_source, "event_name": copies.event_name,
                "error_code": None, "source_ip": copies.source_ip,
                "principal": copies.apply(_caller_name, axis=1), "principal_type": copies.caller_type,
                "user_agent": copies.user_agent, "credential": credential}))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(root_access_key_id=out.credential.map(node.root_access_key_id),
                     origin=out.credential.map(node.origin), hop=out.credential.map(node.hop).astype(int))
    out = out.drop_duplicates("event_id")
    return out.sort_values(["event_time", "hop", "event_id"])[TIMELINE_COLUMNS].reset_index(drop=True)


def keys_in(events: pd.DataFrame) -> list[str]:
    """The access keys that made events (rows of an ``events_by_*`` query): what to trace from a pivot.

    Examples
    --------
    >>> keys_in(pd.DataFrame({"access_key_id": ["AKIA1", None, "", "ASIA2", "AKIA1"]}))
    ['AKIA1', 'ASIA2']
    """
    if events.empty:
        return []
    return [k for k in dict.fromkeys(events.access_key_id.map(_text)) if k]


def chain(credentials: pd.DataFrame, access_key_id: str) -> pd.DataFrame:
    """The credentials from the root down to ``access_key_id``, root first (empty if it is not in the trees)."""
    node = credentials.set_index("access_key_id")
    path, key = [], access_key_id
    while key in node.index and key not in path:
        path.append(key)
        key = node.parent_access_key_id.get(key)
    return credentials.set_index("access_key_id").loc[path[::-1]].reset_index()


def hops(timeline_rows: pd.DataFrame) -> pd.DataFrame:
    """Per root and hop: the credential, its principal, accounts, events, failures, first and last time."""
    columns = ["root_access_key_id", "hop", "credential", "principal", "accounts", "events", "failed", "first",
               "last"]
    if timeline_rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = timeline_rows.groupby(["root_access_key_id", "hop", "credential"], sort=True)
    out = grouped.agg(principal=("principal", "first"), accounts=("account_id", lambda s: ", ".join(sorted(set(s)))),
                      events=("event_id", "size"), failed=("error_code", lambda s: int(s.notna().sum())),
                      first=("event_time", "min"), last=("event_time", "max"))
    return out.reset_index()[columns]


def describe(credentials: pd.DataFrame, timeline_rows: pd.DataFrame) -> str:
    """One line per tree: its root and origin, how many credentials and hops, events and accounts.

    Examples
    --------
    >>> describe(pd.DataFrame(columns=CREDENTIAL_COLUMNS), pd.DataFrame(columns=TIMELINE_COLUMNS))
    'No credentials found.'
    """
    if credentials.empty:
        return "No credentials found."
    lines = []
    for root, group in credentials.groupby("root_access_key_id", sort=False):
        done = timeline_rows[timeline_rows.root_access_key_id == root]
        accounts = sorted(set(done.account_id.dropna()))
        deepest = int(group.hop.max())
        top = group[group.hop == 0].iloc[0]
        lines.append(
            f"{root}: {top.origin}; {len(group)} credential{'s' if len(group) != 1 else ''}"
            f"{f', {deepest} hop' + ('s' if deepest != 1 else '') + ' deep' if deepest else ''}; "
            f"{len(done)} event{'s' if len(done) != 1 else ''} in {len(accounts)} account"
            f"{'s' if len(accounts) != 1 else ''} ({top.reason}).")
    return "\n".join(lines)
