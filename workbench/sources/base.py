"""What every log source is made of: columns, partitions, the S3 key layout and its file format.

A log source is data, not code: one :class:`LogSource` per log type holds everything the
rest of the package needs to know about it. The local engine prunes and reads files with
it (through the file format it names, :mod:`workbench.formats`), ``workbench ddl`` prints
Athena tables from it, ``workbench import`` places records by it, the sample generator
writes keys that :meth:`LogSource.parse_key` accepts, and ``infra/`` is tested against it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workbench.sources.types import AthenaType, parse_type

#: Partition columns shared by every source, in key order: account id, region, and
#: the delivery day as the ``yyyy/MM/dd`` string that appears in the S3 key.
PARTITIONS: tuple[str, ...] = ("account", "region", "day")

#: The Java date format of the ``day`` partition, as Athena's projection wants it.
DAY_FORMAT = "yyyy/MM/dd"

_ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")


@dataclass(frozen=True)
class Column:
    """One table column.

    Attributes
    ----------
    name : str
        The Athena column name (lower case).
    type : AthenaType
        Its Athena type; struct field names keep the raw format's spelling.
    key : str
        Where the raw record holds it: the JSON key (``eventTime``) or the flow-log
        header field (``account-id``).
    """

    name: str
    type: AthenaType
    key: str

    @classmethod
    def of(cls, key: str, type_text: str, *, name: str | None = None) -> Column:
        """Build a column from its raw key and Athena type text.

        The Athena name is ``name`` if given, else the key in lower case with ``-``
        turned into ``_`` (``account-id`` -> ``account_id``).
        """
        return cls(name or key.lower().replace("-", "_"), parse_type(type_text), key)


@dataclass(frozen=True)
class RecordKeys:
    """Where a record says where it belongs, for ``workbench import``: keys tried in order.

    Keys are the raw record's (JSON keys, ``a.b`` for nested ones; flow-log header fields).

    Attributes
    ----------
    account, region, time : tuple of str
        The first of these keys with a value gives the account id, the region and the time.
    identity : tuple of str
        Records whose values of these keys are all equal are one record (written once);
        a record with none of them is never a duplicate.
    arn : tuple of str
        Keys holding the ARN of the resource that wrote the record (WAF's ``webaclId``): its
        account and region fields place a record that has no account or region keys, and its
        resource name gives the folder of a ``scope_partition`` (the web ACL's name). A
        ``global/`` resource (a CloudFront web ACL) is filed under the region ``cloudfront``,
        as AWS files its logs.
    scope : tuple of str
        Keys holding the value of the source's ``scope_partition`` itself (a Resolver query's
        ``vpc_id``); tried before ``arn``.
    """

    account: tuple[str, ...]
    region: tuple[str, ...]
    time: tuple[str, ...]
    identity: tuple[str, ...] = ()
    arn: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogSource:
    """A log type as AWS writes it to S3.

    Attributes
    ----------
    name : str
        Short name, also the folder under ``queries/`` (``"cloudtrail"``).
    table : str
        The table name queries use, on both engines.
    title : str
        Human name (``"CloudTrail"``).
    service_folder : str
        The key segment after the account id (``"CloudTrail"``, ``"vpcflowlogs"``).
    file_pattern : str
        Regular expression a log file's name must match, with ``{account}`` and
        ``{region}`` placeholders. Anything else in the same folder is not read.
    columns : tuple of Column
        Data columns in table order.
    format : str
        The name of its file format in :data:`workbench.formats.FORMATS` (``"cloudtrail_json"``,
        ``"json_lines"``, ``"flowlog_text"``): how its files are viewed, checked, salvaged
        and written.
    records_name : str
        What its records are called in messages (``"CloudTrail records"``).
    record_keys : RecordKeys
        Where a record says its account, region and time (``workbench import``).
    file_template : str
        Name of a file ``workbench import`` writes, a :meth:`str.format` template with
        ``account``, ``region``, ``stamp`` (``YYYYMMDDTHHMMZ`` of the first record),
        ``digest`` (SHA-256 of the body, hex), ``uuid`` (a UUID made from the digest) and
        ``group_digest`` (SHA-256 of the file's group, e.g. a flow-log format); also ``hour``
        (``YYYY-MM-DD-HH``), ``stamp_seconds`` (``YYYY-MM-DD-HH-MM-SS``) and ``digest_upper``. A name
        ending ``.gz`` is written gzip-compressed, any other as plain text. Names it makes match
        ``file_pattern``.
    markers : tuple of tuple of str
        Keys (or values) that mark a file as this source's for ``workbench import``: a file
        holding every string of one group is claimed; longer groups claim more surely.
    required_keys : tuple of str
        Keys every record must have to be one of this source's (JSON lines formats).
    wrapper_keys : tuple of str
        Keys of a JSON document whose value is the list of records (``{"Findings": [...]}``).
    default_fields : str
        For formats that read by position: the fields AWS writes by default, in order.
    global_region : str or None
        Where events of global services are delivered whatever region they came from
        (CloudTrail: ``us-east-1``); a region list without it misses them.
    org_trail : bool
        Whether keys may carry an organisation id before the account
        (``AWSLogs/o-xxxxxxxxxx/<account>/...``). Only organisation trails do.
    line_regex : str
        For text formats read line by line with a regular expression (``regex_text``): the
        expression, one group per column in order. Athena's ``RegexSerDe``, Trino's ``REGEX``
        format, DuckDB and the Python salvage all read lines with it.
    line_optional : tuple of str
        Columns whose group in :attr:`line_regex` may not take part in a match (null then, on
        every engine; DuckDB would give an empty string).
    scope_partition : str or None
        The partition named by a folder between the region and the day, where the layout has
        one (WAF: the web ACL, ``web_acl``); ``None`` for the plain
        ``<account>/<service>/<region>/yyyy/mm/dd`` layout.
    time_folders : int
        Folders below the day folder before the files (WAF: 2, ``HH/mm``); read, never pruned on.
    regional : bool
        Whether keys have a region folder after the service folder (every regional service). A
        global service's logs have none (CloudFront's): then ``region`` is not a partition, and
        the source's files carry an empty region.
    comment_prefix : str
        Lines starting with it are headers, not records (CloudFront's ``#Version``/``#Fields``).
    file_header : str
        Lines a file of this source starts with (written by ``workbench import`` and the Trino
        layout, so that a table that skips header lines skips these).
    scope_from_name : str
        A pattern with a ``scope`` group: where a loose file's name says its
        :attr:`scope_partition` value (a legacy CloudFront file: the distribution id).
    scope_option : str
        The command-line option that names the :attr:`scope_partition` values where they cannot be
        read from a local copy (``--web-acls``).
    scope_pattern : str
        What a :attr:`scope_partition` value must look like (a folder name from the logs: never a
        path of its own).
    hive_paths : bool
        Whether AWS offers a Hive-compatible delivery of these logs (VPC Flow Logs' and CloudFront
        v2's option): folders spelled ``name=value``, ``aws-account-id=<account>/.../year=YYYY/month=MM/day=DD``.
    hive_scope : str
        The name the scope folder has in a Hive-compatible delivery (CloudFront: ``DistributionId``).
    awslogs : bool
        Whether keys start ``AWSLogs/<account>/<service_folder>/`` (every source but one). S3 server
        access logs do not: their date-partitioned prefix is ``<target prefix><account>/<region>/<bucket>/
        yyyy/mm/dd/``. For such a source :attr:`service_folder` is the folder that holds them where
        ``AWSLogs`` would be (the workbench's convention for the target prefix), and ``region`` and
        :attr:`scope_partition` come right after the account.
    athena_storage : dict
        ``row_format`` and, where needed, ``input_format``/``output_format`` and extra
        table properties for the Athena DDL.
    description : str
        One paragraph for ``workbench ddl`` and the docs.
    """

    name: str
    table: str
    title: str
    service_folder: str
    file_pattern: str
    columns: tuple[Column, ...]
    format: str
    records_name: str
    record_keys: RecordKeys
    file_template: str
    markers: tuple[tuple[str, ...], ...] = ()
    required_keys: tuple[str, ...] = ()
    wrapper_keys: tuple[str, ...] = ()
    default_fields: str = ""
    global_region: str | None = None
    org_trail: bool = False
    line_regex: str = ""
    line_optional: tuple[str, ...] = ()
    scope_partition: str | None = None
    time_folders: int = 0
    regional: bool = True
    comment_prefix: str = ""
    file_header: str = ""
    scope_from_name: str = ""
    scope_option: str = ""
    scope_pattern: str = r"[A-Za-z0-9_-]{1,128}"
    hive_paths: bool = False
    hive_scope: str = ""
    awslogs: bool = True
    athena_storage: dict = field(default_factory=dict)
    description: str = ""

    def __post_init__(self):
        parts = ("account",) + (("region",) if self.regional else ()) + (
            (self.scope_partition,) if self.scope_partition else ()) + ("day",)
        object.__setattr__(self, "partitions", parts)

    partitions: tuple[str, ...] = PARTITIONS

    # -- key layout ---------------------------------------------------------------

    def key_prefix(
        self,
        *,
        account: str,
        region: str,
        day: dt.date | str,
        org_id: str | None = None,
        prefix: str = "",
        scope: str | None = None,
    ) -> str:
        """The S3 key prefix (ending in ``/``) of one partition (``region`` is not used when not :attr:`regional`).

        Examples
        --------
        >>> from workbench.sources import get_source
        >>> get_source("cloudtrail").key_prefix(account="111122223333",
        ...     region="us-east-1", day="2026/11/03", org_id="o-abcdefghij")
        'AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/11/03/'
        """
        day_text = day.strftime("%Y/%m/%d") if isinstance(day, dt.date) else day
        parts = [prefix.strip("/")] if prefix.strip("/") else []
        if not self.awslogs:  # <its folder>/<account>/<region>/<scope>/<day>/
            if not scope:
                raise ValueError(f"{self.title} keys have a {self.scope_partition} folder: give scope=")
            return "/".join(parts + [self.service_folder, account, region, scope, day_text]) + "/"
        parts.append("AWSLogs")
        if org_id and self.org_trail:
            parts.append(org_id)
        parts += [account, self.service_folder] + ([region] if self.regional else [])
        if self.scope_partition:
            if not scope:
                raise ValueError(f"{self.title} keys have a {self.scope_partition} folder: give scope=")
            parts.append(scope)
        parts.append(day_text)
        return "/".join(parts) + "/"

    def location_template(self, *, bucket: str, prefix: str = "", org_id: str | None = None,
                          scheme: str = "s3", hive: bool = False) -> str:
        """Athena's ``storage.location.template`` for partition projection (``scheme://bucket/...``).

        ``hive``: the folders of a Hive-compatible delivery, with the day as AWS's suffix path
        spells it (``.../aws-account-id=${account}/.../year=${yyyy}/month=${MM}/day=${dd}``). Projection
        cannot put one ``day`` value into three folders: such a table's partitions are registered
        (:mod:`workbench.aws.upkeep` reads this template to know where).

        Raises
        ------
        ValueError
            With ``hive``, for a source AWS delivers no other way.
        """
        if hive:
            if not self.hive_paths:
                raise ValueError(f"AWS delivers {self.title} with plain folders only: no Hive-compatible paths")
            parts = ([prefix.strip("/")] if prefix.strip("/") else []) + ["AWSLogs", "aws-account-id=${account}"]
            parts += ([f"aws-service={self.service_folder}", "aws-region=${region}"] if self.regional
                      else [self.service_folder])
            if self.scope_partition:
                parts.append(f"{self.hive_scope}=${{{self.scope_partition}}}")
            parts += ["year=${yyyy}", "month=${MM}", "day=${dd}"]
            return f"{scheme}://{bucket}/" + "/".join(parts)
        key = self.key_prefix(
            account="${account}", region="${region}", day="${day}", org_id=org_id, prefix=prefix,
            scope="${" + self.scope_partition + "}" if self.scope_partition else None,
        )
        return f"{scheme}://{bucket}/{key.rstrip('/')}"

    def file_regex(self, *, account: str = r"\d+", region: str = r"[a-z0-9-]+") -> re.Pattern:
        """Compiled pattern of this source's log file names."""
        return re.compile(
            self.file_pattern.format(account=re.escape(account) if account != r"\d+" else account,
                                     region=re.escape(region) if region != r"[a-z0-9-]+" else region)
        )

    def parse_key(self, key: str) -> dict | None:
        """Partition values of an S3 key, or ``None`` if it is not one of this source's logs.

        Digest, Insight, Config and marker objects share the tree but return ``None``.

        Returns
        -------
        dict or None
            ``{"prefix", "org_id", "account", "region", "scope", "day", "file"}`` (``scope``: the
            folder of :attr:`scope_partition`, else ``""``).
        """
        match = self._key_regex().search(key)
        if not match:
            return None
        parts = match.groupdict()
        if not self.file_regex(account=parts["account"], region=parts["region"]).fullmatch(parts["file"]):
            return None
        parts["day"] = f"{parts.pop('y')}/{parts.pop('m')}/{parts.pop('d')}"
        parts["prefix"] = (parts["prefix"] or "").strip("/")
        parts["org_id"] = parts["org_id"] or None
        parts["scope"] = parts.get("scope") or ""
        return parts

    def _key_regex(self) -> re.Pattern:
        if not self.awslogs:
            return re.compile(
                r"^(?P<prefix>(?:.*/)?)" + re.escape(self.service_folder) + r"/(?P<org_id>)(?P<account>\d{12})/"
                r"(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2})/(?P<scope>" + self.scope_pattern + r")/"
                r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<file>[^/]+)$"
            )
        # each folder may also be spelled as Hive-compatible delivery spells it, ``name=value``
        # (``aws-account-id=111122223333``, ``DistributionId=E1...``, ``year=2026/month=11/day=03``)
        org = r"(?:(?P<org_id>o-[a-z0-9]{10,32})/)?" if self.org_trail else r"(?P<org_id>)"
        scope = r"(?:[A-Za-z][A-Za-z_-]{0,40}=)?(?P<scope>[^/=]+)/" if self.scope_partition else ""
        region = r"(?:aws-region=)?(?P<region>[a-z0-9-]+)/" if self.regional else r"(?P<region>)"
        below = r"(?:(?:hour|minute)=)?\d{2}/" * self.time_folders
        return re.compile(
            r"^(?P<prefix>(?:.*/)?)AWSLogs/" + org
            + r"(?:aws-account-id=)?(?P<account>\d{9,12})/(?:aws-service=)?" + re.escape(self.service_folder) + "/"
            + region + scope + r"(?:year=)?(?P<y>\d{4})/(?:month=)?(?P<m>\d{2})/(?:day=)?(?P<d>\d{2})/" + below
            + r"(?P<file>[^/]+)$"
        )

    # -- columns ------------------------------------------------------------------

    def column(self, name: str) -> Column:
        """The column called ``name``; ``KeyError`` naming the known ones otherwise."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.table} has no column {name!r}; columns: {', '.join(self.column_names)}")

    def field_type(self, path: tuple[str, ...]) -> AthenaType | None:
        """The type at ``path`` (lower case: a column, then struct fields), or ``None``."""
        column = next((c for c in self.columns if c.name == path[0]), None) if path else None
        return column.type.field(path[1:]) if column else None

    def columns_for(self, fields: str) -> tuple[Column, ...]:
        """The columns of ``fields`` (raw keys separated by spaces, or ``${key}`` forms), in that order.

        Raises
        ------
        ValueError
            If a field is not one of the source's.
        """
        known = {c.key: c for c in self.columns}
        names = fields.replace("${", " ").replace("}", " ").split()
        unknown = [f for f in names if f not in known]
        if unknown:
            raise ValueError(f"unknown {self.title} field(s) {', '.join(unknown)} in {fields!r}; "
                             f"known fields: {' '.join(known)}")
        return tuple(known[f] for f in names)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Data column names, then partition names: the table as queries see it."""
        return tuple(c.name for c in self.columns) + self.partitions


def is_org_id(text: str) -> bool:
    """Whether ``text`` looks like an AWS Organizations id (``o-`` and 10 to 32 characters)."""
    return bool(_ORG_ID.fullmatch(text))
