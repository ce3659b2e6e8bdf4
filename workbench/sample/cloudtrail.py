"""CloudTrail records: identities, callers and the record renderer.

Records are rendered straight to compact JSON text from pre-encoded fragments (an
identity is encoded once per session, request variants once per day), which is what
makes the generator fast.  Background activity and planted scenarios go through the
same :meth:`Recorder.call`, so a planted record cannot be told apart by its shape.
"""

from __future__ import annotations

import datetime as dt

from . import ids
from .apis import Api, Variant, api, dumps

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
TLS13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")


class Caller:
    """Who makes a call and from where: identity, source address, user agent.

    Parameters
    ----------
    identity : dict or str
        The ``userIdentity`` object (encoded once here), or its JSON text.
    ip : str
        ``sourceIPAddress``: an address, a service name or ``"AWS Internal"``.
    ua : str
        ``userAgent``.
    arn : str, optional
        Used in AccessDenied messages.
    console : bool
        Console session: adds ``sessionCredentialFromConsole`` on newer event versions.
    vpce : str, optional
        VPC endpoint id when the call came through an interface endpoint.
    tls : str or None
        "1.3", "1.2" or None when AWS records no ``tlsDetails`` (service-made calls).
    channel : str
        Value of the invented ``callerContext`` field carried by eventVersion 1.11.
    """

    __slots__ = ("arn", "channel", "console", "identity", "ip", "tls", "ua", "vpce")

    def __init__(self, identity: dict | str, ip: str, ua: str, *, arn: str | None = None, console: bool = False,
                 vpce: str | None = None, tls: str | None = "1.3", channel: str = "sdk") -> None:
        self.identity = identity if isinstance(identity, str) else dumps(identity)
        self.ip, self.ua, self.arn = ip, _encoded(ua), arn
        self.console, self.vpce, self.tls, self.channel = console, vpce, tls, channel

    def with_ua(self, ua: str, *, channel: str | None = None) -> Caller:
        """A copy with another user agent (console calls vary theirs)."""
        c = Caller.__new__(Caller)
        for name in Caller.__slots__:
            setattr(c, name, getattr(self, name))
        c.ua = _encoded(ua)
        if channel:
            c.channel = channel
        return c


_UA: dict[str, str] = {}


def _encoded(text: str) -> str:
    """JSON text of a (frequently repeated) string such as a user agent."""
    enc = _UA.get(text)
    if enc is None:
        enc = _UA[text] = dumps(text)
    return enc


# --- userIdentity shapes -------------------------------------------------------------

def session_context(created: str, *, mfa: bool = False, issuer: dict | None = None,
                    web_id: dict | None = None, ec2: bool = False) -> dict:
    """``sessionContext`` with ``sessionIssuer`` (``{}`` when None) and ``webIdFederationData``."""
    ctx = {"sessionIssuer": issuer or {}, "webIdFederationData": web_id or {},
           "attributes": {"creationDate": created, "mfaAuthenticated": "true" if mfa else "false"}}
    if ec2:
        ctx["ec2RoleDelivery"] = "2.0"
    return ctx


def iam_user(account: str, user, *, key: str | None = None, created: str | None = None, mfa: bool = False) -> dict:
    """An IAM user calling with its access key, or in a console session when ``created`` is set."""
    d = {"type": "IAMUser", "principalId": user.user_id, "arn": user.arn, "accountId": account,
         "accessKeyId": (user.access_key or "") if key is None else key, "userName": user.name}
    if created:
        d["sessionContext"] = session_context(created, mfa=mfa)
    return d


def failed_login_user(account: str, user) -> dict:
    """A failed IAM-user console login: the user name, but no ``arn``."""
    return {"type": "IAMUser", "principalId": user.user_id, "accountId": account, "accessKeyId": "",
            "userName": user.name}


def hidden_user(account: str) -> dict:
    """A console login with a user name the account does not have."""
    return {"type": "IAMUser", "principalId": "", "accountId": account, "accessKeyId": "", "userName": HIDDEN}


def root(account: str, *, key: str = "", created: str | None = None, invoked_by: str | None = None) -> dict:
    """The root user (failed root logins keep the ``arn``)."""
    d = {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}
    if invoked_by:
        d["invokedBy"] = invoked_by
        return d
    d["accessKeyId"] = key
    if created:
        d["sessionContext"] = session_context(created)
    return d


def assumed_role(account: str, role_name: str, role_id: str, session: str, key: str, created: str, *,
                 role_arn: str | None = None, mfa: bool = False, invoked_by: str | None = None,
                 web_provider: str | None = None, ec2: bool = False) -> dict:
    """An assumed-role session (SSO user, instance profile, Lambda, CI, service-linked role)."""
    role_arn = role_arn or f"arn:aws:iam::{account}:role/{role_name}"
    issuer = {"type": "Role", "principalId": role_id, "arn": role_arn, "accountId": account, "userName": role_name}
    web = {"federatedProvider": web_provider, "attributes": {}} if web_provider else None
    d = {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
         "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}", "accountId": account,
         "accessKeyId": key, "sessionContext": session_context(created, mfa=mfa, issuer=issuer, web_id=web, ec2=ec2)}
    if invoked_by:
        d["invokedBy"] = invoked_by
    return d


def aws_service(invoked_by: str, account: str | None = None) -> dict:
    """``{type: AWSService, invokedBy}``, or the bare ``{accountId, invokedBy}`` of service events."""
    return {"accountId": account, "invokedBy": invoked_by} if account else {"type": "AWSService", "invokedBy": invoked_by}


# --- records -------------------------------------------------------------------------

class Recorder:
    """Renders the CloudTrail records of one account and one UTC day.

    Records are collected per delivery region in :attr:`out` as ``(epoch, json)``;
    global-service calls go to us-east-1.  Event ids come from a stream of their own
    (``stream``), so planted events keep their ids whatever the background does.

    Calls without overrides (the bulk of the background) are rendered from a template
    per API, region, caller and variant: only the version, time and ids change between
    them.  Both paths draw the same random numbers and give the same text.

    Parameters
    ----------
    account : str
        Recipient account id.
    day : datetime.date
        Records outside this UTC day are dropped (:meth:`call` returns None).
    seed : int or str
    stream : str
        Name of the id stream, e.g. ``"background"`` or ``"scenario/port-scan"``.
    """

    __slots__ = ("_api_parts", "_caller_parts", "_clock", "_templates", "_tls", "account", "out", "prefix", "r", "t0")

    def __init__(self, account: str, day: dt.date, seed, *, stream: str = "background") -> None:
        self.account = account
        self.t0 = ids.epoch(day)
        self.prefix = day.isoformat() + "T"
        self.r = ids.rng(seed, "event-ids", stream, account, day.isoformat())
        self.out: dict[str, list[tuple[int, str]]] = {}
        self._clock = ids.clock()
        self._tls: dict[tuple, str] = {}
        self._templates: dict[tuple, tuple] = {}
        self._caller_parts: dict[Caller, tuple] = {}
        self._api_parts: dict[tuple, tuple] = {}

    def iso(self, t: int) -> str:
        return self.prefix + self._clock[t - self.t0] + "Z"

    def _tls_fragment(self, a: Api, region: str, version: str) -> str:
        key = (a.service, a.is_global, region, version)
        frag = self._tls.get(key)
        if frag is None:
            tls, suite = TLS13 if version == "1.3" else TLS12
            frag = (f',"tlsDetails":{{"tlsVersion":"{tls}","cipherSuite":"{suite}",'
                    f'"clientProvidedHostHeader":"{a.host(region)}"}}')
            self._tls[key] = frag
        return frag

    def _bucket(self, region: str) -> list:
        bucket = self.out.get(region)
        if bucket is None:
            bucket = self.out[region] = []
        return bucket

    def call(self, t: int, a: Api | str, region: str, caller: Caller, variant: Variant | None = None,
             **overrides) -> str | None:
        """Render one record; return its eventID (None if ``t`` is outside the day).

        ``overrides`` are the keyword arguments of :meth:`render`; without them the
        record comes from a cached template (same text, fewer steps).
        """
        if overrides:
            return self.render(t, a, region, caller, variant, **overrides)
        s = t - self.t0
        if s < 0 or s >= 86400:
            return None
        tpl = self._templates.get((a, region, caller, variant)) or self._template(a, region, caller, variant)
        n, texts, mid, bucket = tpl
        r = self.r
        head, tail = texts[0] if n == 1 else texts[int(r.random() * n)]
        h = (r.getrandbits(256) & _ID_KEEP | _ID_SET).to_bytes(32, "big").hex()
        eid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
        bucket.append((t, f'{head}{self._clock[s]}{mid}{h[32:40]}-{h[40:44]}-{h[44:48]}-{h[48:52]}-{h[52:]}'
                          f'","eventID":"{eid}{tail}'))
        return eid

    def calls(self, region: str, items) -> None:
        """Render ``(t, api, caller, variant)`` calls in ``region`` whose eventIDs are not needed.

        The same records, and the same draws, as :meth:`call` for each item in turn.
        """
        t0, clock, r, templates = self.t0, self._clock, self.r, self._templates
        for t, a, caller, variant in items:
            s = t - t0
            if s < 0 or s >= 86400:
                continue
            tpl = templates.get((a, region, caller, variant)) or self._template(a, region, caller, variant)
            n, texts, mid, bucket = tpl
            head, tail = texts[0] if n == 1 else texts[int(r.random() * n)]
            h = (r.getrandbits(256) & _ID_KEEP | _ID_SET).to_bytes(32, "big").hex()
            bucket.append((t, f'{head}{clock[s]}{mid}{h[32:40]}-{h[40:44]}-{h[44:48]}-{h[48:52]}-{h[52:]}'
                              f'","eventID":"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}{tail}'))

    def _template(self, a: Api | str, region: str, caller: Caller, variant: Variant | None) -> tuple:
        """The constant texts around the time and ids of a call without overrides.

        Returns ``(number of versions, [(text before the time, text after the eventID)
        per version], text between the time and the requestID, list of records)``, built
        from parts cached per caller and per API, region and variant, so that a new
        combination of the two costs a few concatenations.
        """
        key = (a, region, caller, variant)
        if type(a) is str:
            a = api(a)
        head, src, vpce = self._caller_parts.get(caller) or self._caller_part(caller)
        delivered, mid, params, end, bucket = (self._api_parts.get((a, region, variant))
                                               or self._api_part(a, region, variant))
        tls = self._tls_fragment(a, delivered, caller.tls) if caller.tls else ""
        end += vpce + ',"eventCategory":"Management"' + tls
        texts = [(f'{{"eventVersion":"{ver}{head}', end + _tail(caller, ver) + "}") for ver in a.versions]
        tpl = self._templates[key] = (len(texts), texts, mid + src + params, bucket)
        return tpl

    def _caller_part(self, caller: Caller) -> tuple[str, str, str]:
        """Texts of a caller: before the event time, source address and agent, VPC endpoint."""
        part = self._caller_parts[caller] = (
            f'","userIdentity":{caller.identity},"eventTime":"{self.prefix}',
            f'"sourceIPAddress":"{caller.ip}","userAgent":{caller.ua}',
            _vpce(caller.vpce, self.account) if caller.vpce else "")
        return part

    def _api_part(self, a: Api, region: str, variant: Variant | None) -> tuple:
        """Texts of an API call with one variant in one region, and the list its records go to."""
        v = variant or _EMPTY
        err, re = "", v.re
        if v.error:
            code, message = v.error
            err, re = (f',"errorCode":"{code}"' if code else "") + ',"errorMessage":' + dumps(message), "null"
        delivered = "us-east-1" if a.is_global else region
        part = self._api_parts[(a, region, variant)] = (
            delivered, f'Z",{a.head},"awsRegion":"{delivered}",',
            f'{err},"requestParameters":{v.rp},"responseElements":{re}{v.aed},"requestID":"',
            f'"{a.ro}{v.resources},"eventType":"AwsApiCall","managementEvent":true,'
            f'"recipientAccountId":"{self.account}"',
            self._bucket(delivered))
        return part

    def render(self, t: int, a: Api | str, region: str, caller: Caller, variant: Variant | None = None, *,
               error: tuple[str | None, str] | str | None = None, rp: str | None = None, re: str | None = None,
               res: str | None = None, aed: str | None = None, event_type: str = "AwsApiCall",
               after_account: str = "", version: str | None = None, request_id: bool = True) -> str | None:
        """Render one record with overrides; return its eventID (None if ``t`` is outside the day).

        ``error`` is ``"denied"`` (AccessDenied for the caller and API), ``(code, message)``
        or ``(None, message)`` for console sign-in failures, which carry no errorCode.
        Pre-encoded ``rp``/``re``/``res``/``aed`` override the variant's fragments.
        """
        s = t - self.t0
        if s < 0 or s >= 86400:
            return None
        if type(a) is str:
            a = api(a)
        v = variant or _EMPTY
        vs = a.versions
        ver = version or (vs[0] if len(vs) == 1 else vs[int(self.r.random() * len(vs))])
        h = "%064x" % self.r.getrandbits(256)
        eid = ids.uuid_from_hex(h[:32])
        err = ""
        if error is None and v.error:
            error = v.error
        if error is not None:
            if error == "denied":
                error = (a.denied_code, denied_message(a, caller.arn or "", self.r))
            code, message = error
            err = (f',"errorCode":"{code}"' if code else "") + ',"errorMessage":' + dumps(message)
            if re is None:
                re = "null"
        region = "us-east-1" if a.is_global else region
        rid = f',"requestID":"{ids.uuid_from_hex(h[32:])}"' if request_id else ""
        rec = (f'{{"eventVersion":"{ver}","userIdentity":{caller.identity},"eventTime":"{self.prefix}{self._clock[s]}Z",'
               f'{a.head},"awsRegion":"{region}","sourceIPAddress":"{caller.ip}","userAgent":{caller.ua}{err},'
               f'"requestParameters":{v.rp if rp is None else rp},"responseElements":{v.re if re is None else re}'
               f'{v.aed if aed is None else aed}'
               f'{rid}'
               f',"eventID":"{eid}"{a.ro}{v.resources if res is None else res},"eventType":"{event_type}",'
               f'"managementEvent":true,"recipientAccountId":"{self.account}"{after_account}'
               f'{_vpce(caller.vpce, self.account) if caller.vpce else ""},"eventCategory":"Management"'
               f'{self._tls_fragment(a, region, caller.tls) if caller.tls else ""}{_tail(caller, ver)}}}')
        self._bucket(region).append((t, rec))
        return eid

    def console_login(self, t: int, caller: Caller, *, success: bool, mfa_used: bool,
                      message: str | None = None, event_type: str = "AwsConsoleSignIn",
                      login_to: str = "https://console.aws.amazon.com/console/home", saml: str | None = None) -> str | None:
        """A ``ConsoleLogin`` record, delivered under us-east-1.

        ``message`` is "Failed authentication" or "No username found in supplied account"
        on failures; a failed login has no errorCode, only ``errorMessage``.
        """
        extra = {"LoginTo": login_to, "MobileVersion": "No", "MFAUsed": "Yes" if mfa_used else "No"}
        if saml:
            extra["SamlProviderArn"] = saml
        outcome = "Success" if success else "Failure"
        return self.render(t, "signin:ConsoleLogin", "us-east-1", caller,
                         error=None if success else (None, message or "Failed authentication"),
                         rp="null", re=f'{{"ConsoleLogin":"{outcome}"}}', aed=',"additionalEventData":' + dumps(extra),
                         event_type=event_type, request_id=False)


_EMPTY = Variant()
# Two UUIDs from one 256-bit draw, as ids.uuid_from_hex makes them, by setting bits rather than
# replacing digits: hex digit 12 of each becomes 4 (the version), digit 16 one of 8, 9, a, b (the variant).
_ID_SET = (0x4 << 204) | (0x8 << 188) | (0x4 << 76) | (0x8 << 60)
_ID_KEEP = ~((0xF << 204) | (0x4 << 188) | (0xF << 76) | (0x4 << 60)) & (1 << 256) - 1


def _tail(caller: Caller, version: str) -> str:
    """Fields that newer event versions add at the end of a record."""
    tail = ""
    if caller.console and version >= "1.09":
        tail = ',"sessionCredentialFromConsole":"true"'
    if version == "1.11":
        tail += f',"callerContext":{{"channel":"{caller.channel}"}}'
    return tail


def _vpce(vpce: str, account: str) -> str:
    return f',"vpcEndpointId":"{vpce}","vpcEndpointAccountId":"{account}"'


def denied_message(a: Api, arn: str, r) -> str:
    """The AccessDenied / UnauthorizedOperation message AWS writes for ``arn`` calling ``a``."""
    core = f"User: {arn} is not authorized to perform: {a.action}"
    if a.service == "ec2":
        encoded = ids.alnum(r, 120, ids.MIXED_ALNUM + "-_")
        return (f"You are not authorized to perform this operation. {core} because no identity-based policy "
                f"allows the {a.action} action. Encoded authorization failure message: {encoded}")
    return f"{core} because no identity-based policy allows the {a.action} action"


def assume_role_response(account: str, role_name: str, role_id: str, session: str, key: str,
                         expires: str) -> str:
    """``responseElements`` of an AssumeRole call that issued ``key``."""
    return dumps({"credentials": {"accessKeyId": key, "sessionToken": "IQoJb3JpZ2luX2VjE" + key[4:] + "//////////wEaCXVzLWVhc3QtMSJH",
                                  "expiration": expires},
                  "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                      "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"}})


def expiration(ts: float) -> str:
    """The ``Nov 3, 2026, 10:12:33 AM`` style AWS uses for credential expiry."""
    d = dt.datetime.fromtimestamp(int(ts), dt.timezone.utc)
    return f"{d:%b} {d.day}, {d.year}, {d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"
