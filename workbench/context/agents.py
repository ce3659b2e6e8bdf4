"""What made a call: the client, its version and OS, and the program behind it, from the user agent.

Browsers and generic HTTP clients are parsed by ``ua-parser`` (the maintained uap-core rules).
AWS's own clients write their user agent as a list of ``name/version`` products with metadata
(``aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 lang/python#3.12.6 ...``; a tool that
embeds an SDK adds its own product, ``Terraform/1.6.6 ... aws-sdk-go-v2/1.24.0``), so they are
read product by product against :data:`PRODUCTS`, a table of product names (no patterns), and
the program furthest from the wire wins: an offensive tool before infrastructure as code,
before the CLI, before a bare SDK.

CloudTrail's own values are named too: ``AWS Internal``, a service's host name (``ec2.amazonaws.com``)
and the console's (``console.amazonaws.com``, ``signin.amazonaws.com``, ``[S3Console/0.4]``...).

>>> agent("aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6").kind
'aws-cli'
>>> agent("Boto3/1.17.0 Python/3.8 Linux/5.4 Botocore/1.20.0 Pacu/1.0").tool
'Pacu'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from workbench.context.ranges import AWS_INTERNAL, is_service_name

#: The most of a user agent that is read (CloudTrail keeps up to 1 KB; anything longer is not a client's).
MAX_CHARS = 1024

#: The kinds, worst first as far as an investigator is concerned, and what each means.
KINDS = {
    "offensive-tool": "an attack or exploitation tool (Pacu, TruffleHog, Stratus Red Team...) or a pentest OS",
    "security-scanner": "a cloud security scanner (Prowler, ScoutSuite, CloudSploit...)",
    "iac": "infrastructure as code (Terraform, OpenTofu, Pulumi, CDK, CloudFormation...)",
    "aws-console": "the AWS Management Console or its sign-in",
    "aws-cli": "a command line: the AWS CLI or AWS Tools for PowerShell",
    "aws-sdk": "a program using an AWS SDK",
    "browser": "a web browser",
    "script": "a generic HTTP client or script (curl, python-requests, Go's http client...)",
    "aws-service": "an AWS service calling on the caller's behalf",
    "aws-internal": "AWS Internal: a call AWS made itself",
    "other": "something else",
    "missing": "no user agent",
}

#: Product name (lower case, before the ``/``) -> (kind, what to call it). A tool's products first.
PRODUCTS = {
    # offensive tools and frameworks
    "pacu": ("offensive-tool", "Pacu"),
    "trufflehog": ("offensive-tool", "TruffleHog"),
    "stratus-red-team": ("offensive-tool", "Stratus Red Team"),
    "weirdaal": ("offensive-tool", "WeirdAAL"),
    "cloudfox": ("offensive-tool", "CloudFox"),
    "aws_consoler": ("offensive-tool", "aws_consoler"),
    "endgame": ("offensive-tool", "Endgame"),
    "enumerate-iam": ("offensive-tool", "enumerate-iam"),
    "nuclei": ("offensive-tool", "Nuclei"),
    "cloudgoat": ("offensive-tool", "CloudGoat"),
    # security scanners
    "prowler": ("security-scanner", "Prowler"),
    "scoutsuite": ("security-scanner", "ScoutSuite"),
    "scout2": ("security-scanner", "ScoutSuite"),
    "cloudsploit": ("security-scanner", "CloudSploit"),
    "cloudmapper": ("security-scanner", "CloudMapper"),
    "pmapper": ("security-scanner", "PMapper"),
    "steampipe": ("security-scanner", "Steampipe"),
    "cloudquery": ("security-scanner", "CloudQuery"),
    # infrastructure as code
    "terraform": ("iac", "Terraform"),
    "opentofu": ("iac", "OpenTofu"),
    "pulumi": ("iac", "Pulumi"),
    "aws-cdk": ("iac", "AWS CDK"),
    "ansible": ("iac", "Ansible"),
    "serverless": ("iac", "Serverless Framework"),
    "crossplane": ("iac", "Crossplane"),
    "aws-sam-cli": ("iac", "AWS SAM CLI"),
    "cloudformation": ("iac", "CloudFormation"),
    # the console
    "s3console": ("aws-console", "AWS Console (S3)"),
    "aws-internal": ("aws-console", "AWS Console"),
    # command lines
    "aws-cli": ("aws-cli", "AWS CLI"),
    "awscli": ("aws-cli", "AWS CLI"),
    "awspowershell": ("aws-cli", "AWS Tools for PowerShell"),
    "awspowershell.common": ("aws-cli", "AWS Tools for PowerShell"),
    "aws-shell": ("aws-cli", "aws-shell"),
    # SDKs (any product starting aws-sdk- is one too)
    "boto3": ("aws-sdk", "Boto3"),
    "botocore": ("aws-sdk", "Botocore"),
    "boto": ("aws-sdk", "Boto"),
    "aiobotocore": ("aws-sdk", "aiobotocore"),
    "jets3t": ("aws-sdk", "JetS3t"),
    "s3fs": ("aws-sdk", "s3fs"),
}
#: Console values CloudTrail writes as the user agent.
CONSOLE_HOSTS = {"console.amazonaws.com": "AWS Console", "signin.amazonaws.com": "AWS Console sign-in",
                 "console.aws.amazon.com": "AWS Console"}
#: Precedence of kinds when a user agent names several products: the first found in this order wins.
PRECEDENCE = ("offensive-tool", "security-scanner", "iac", "aws-console", "aws-cli", "aws-sdk")
_SDK_LANGUAGES = {"boto3": "python", "botocore": "python", "boto": "python", "aiobotocore": "python",
                  "aws-cli": "python", "awspowershell": ".NET", "aws-sdk-go": "go", "aws-sdk-go-v2": "go",
                  "aws-sdk-java": "java", "aws-sdk-java-v2": "java", "aws-sdk-js": "javascript",
                  "aws-sdk-nodejs": "javascript", "aws-sdk-php": "php", "aws-sdk-ruby": "ruby",
                  "aws-sdk-ruby2": "ruby", "aws-sdk-ruby3": "ruby", "aws-sdk-rust": "rust", "aws-sdk-cpp": "c++",
                  "aws-sdk-dotnet": ".NET", "aws-sdk-dotnet-coreclr": ".NET", "aws-sdk-net": ".NET",
                  "aws-sdk-swift": "swift", "aws-sdk-kotlin": "kotlin"}
_OS_NAMES = {"linux": "Linux", "macos": "macOS", "darwin": "macOS", "windows": "Windows", "android": "Android",
             "ios": "iOS", "other": None}
_PENTEST_OS = {"kali": "Kali Linux", "parrot": "Parrot OS", "pentoo": "Pentoo"}
_SCRIPT_FAMILIES = {"python requests", "curl", "wget", "go-http-client", "okhttp", "python-urllib", "apache-httpclient",
                    "python aiohttp", "httpx", "powershell", "java", "node-fetch", "axios"}


@dataclass(frozen=True)
class Agent:
    """What a user agent says.

    Attributes
    ----------
    family, version : str or None
        The client on the wire (``aws-cli``, ``Boto3``, ``aws-sdk-go-v2``, ``Chrome``...) and its version.
    os : str or None
        Its operating system.
    tool : str or None
        The program behind it when one is named (``Terraform``, ``Pacu``, ``AWS CLI``...), else the family.
    kind : str
        One of :data:`KINDS`.
    language : str or None
        The SDK's language, when the agent says or its SDK implies it.
    """

    family: str | None
    version: str | None
    os: str | None
    tool: str | None
    kind: str
    language: str | None = None


def _products(text: str) -> list[tuple[str, str, str]]:
    """``(name, version, metadata)`` of each ``name/version`` product; metadata after ``#``."""
    out = []
    for word in text.replace("[", " ").replace("]", " ").replace(",", " ").split():
        name, sep, rest = word.partition("/")
        if not sep or not name:
            name, rest = word, ""
        version, _, meta = rest.partition("#")
        out.append((name, version, meta))
    return out


def _known(name: str) -> tuple[str, str] | None:
    low = name.lower()
    if low in PRODUCTS:
        return PRODUCTS[low]
    if low.startswith("stratus-red-team"):        # its agent is stratus-red-team_<detonation id>
        return PRODUCTS["stratus-red-team"]
    if low.startswith("aws-sdk-") or low.startswith("aws-sdk_"):
        return "aws-sdk", name
    return None


@lru_cache(maxsize=1)
def _ua_parser():
    try:
        import ua_parser
    except ImportError:
        return None
    return ua_parser.parse


@lru_cache(maxsize=65536)
def agent(value: str | None) -> Agent:
    """What ``value`` (a user agent as CloudTrail, WAF or a load balancer writes it) says."""
    if not isinstance(value, str) or not value.strip():
        return Agent(None, None, None, None, "missing")
    text = value.strip()[:MAX_CHARS]
    if text == AWS_INTERNAL:
        return Agent(AWS_INTERNAL, None, None, "AWS", "aws-internal")
    host = text.lower()
    if host in CONSOLE_HOSTS:
        return Agent(host, None, None, CONSOLE_HOSTS[host], "aws-console")
    if is_service_name(text):
        return Agent(host, None, None, host.split(".")[0], "aws-service")
    products = _products(text)
    found = [(name, version, _known(name)) for name, version, _ in products]
    found = [(name, version, k) for name, version, k in found if k]
    language = next((version.lower() or None for name, version, _ in products if name.lower() == "lang"), None)
    language = language or next(
        (lang for name, _, _ in products if (lang := _SDK_LANGUAGES.get(name.lower()))), None)
    os_name = _os(products)
    # uap-core's rules for browsers, scripts and the OS an AWS agent does not name (the slow part: skipped when
    # the products said it all)
    parsed = _parse(text) if not found or os_name is None else None
    if parsed is not None and os_name is None and parsed.os is not None and parsed.os.family != "Other":
        os_name = parsed.os.family
    pentest = next((label for word, label in _PENTEST_OS.items() if word in text.lower()), None)
    if found:
        kinds = {k[0] for _, _, k in found}
        top = next(kind for kind in PRECEDENCE if kind in kinds)
        tool = next(k[1] for _, _, k in found if k[0] == top)
        # the family is the client on the wire: the SDK or CLI if one is named, else the tool itself
        wire = next(((name, version) for name, version, k in found if k[0] in ("aws-cli", "aws-sdk")), None)
        family, version = wire or next((name, version) for name, version, k in found if k[0] == top)
        if family.lower().startswith("stratus-red-team"):
            family = "stratus-red-team"
        if pentest and top not in ("offensive-tool",):
            top, tool = "offensive-tool", pentest
        return Agent(family, version or None, os_name or pentest, tool, top, language)
    if parsed is not None and parsed.user_agent is not None and parsed.user_agent.family != "Other":
        ua = parsed.user_agent
        version = ".".join(p for p in (ua.major, ua.minor, ua.patch) if p) or None
        low = ua.family.lower()
        kind = "browser" if text.startswith("Mozilla/") or low in ("chrome", "firefox", "safari", "edge", "opera") \
            else "script" if low in _SCRIPT_FAMILIES else "other"
        if pentest:
            return Agent(ua.family, version, pentest, pentest, "offensive-tool", language)
        return Agent(ua.family, version, os_name, ua.family, kind, language)
    name, version, _ = products[0] if products else (text, "", "")
    name = name[:64]
    kind = "script" if name.lower() in _SCRIPT_FAMILIES else "other"
    if pentest:
        return Agent(name, version or None, pentest, pentest, "offensive-tool", language)
    return Agent(name, version[:32] or None, os_name, name, kind, language)


def _os(products) -> str | None:
    for name, version, _ in products:
        low = name.lower()
        if low == "os":
            return _OS_NAMES.get(version.lower(), version or None) if version else None
        if low in ("linux", "darwin", "windows", "macos", "windows_nt"):
            return _OS_NAMES.get(low, name)
    return None


def _parse(text: str):
    parse = _ua_parser()
    if parse is None:
        return None
    try:
        return parse(text)
    except Exception:  # a parser bug on hostile text must not stop the enrichment
        return None
