"""``workbench deploy`` (``make deploy``): package the code and create or update the AWS stack."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.errors import UsageError
from workbench.words import parse_size

NAME = "deploy"
HELP = "package the code and create or update the AWS stack (infra/)"
DESCRIPTION = (
    "Check the parameters, upload the upkeep Lambda, the workbench wheel and the notebooks to an S3 "
    "bucket of yours, and create or update the stack in infra/ (see docs/deploy.md)."
)

#: Command-line option -> template parameter.
OPTIONS = {
    "log_bucket": "LogBucket", "log_prefix": "LogPrefix", "org_id": "OrganizationId",
    "log_kms_keys": "LogKmsKeyArns", "accounts": "Accounts", "regions": "Regions",
    "start": "ProjectionStartDate", "database": "DatabaseName", "scan_cutoff": "BytesScannedCutoffPerQuery",
    "notebook_type": "NotebookInstanceType", "subnet": "SubnetId", "security_groups": "SecurityGroupIds",
    "code_repository": "CodeRepository", "report_schedule": "ReportScheduleExpression",
    "upkeep_schedule": "UpkeepScheduleExpression", "extras": "PackageExtras",
    "package_index": "PackageIndexUrl", "waf_log_bucket": "WafLogBucket", "web_acls": "WebAcls",
    "distributions": "Distributions", "vpcs": "ResolverVpcs", "buckets": "S3AccessBuckets",
}
#: Sources AWS can deliver with Hive-compatible prefixes, and the template parameter that says so.
_HIVE_PARAMETERS = {"vpcflow": "FlowLogPaths", "cloudfront": "CloudFrontPaths"}
_SWITCHES = {"no_notebook": "CreateNotebook", "no_upkeep": "CreateUpkeepFunction",
             "no_reports": "CreateScheduledReports"}


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the deploy options to ``parser`` (a ``workbench deploy`` sub-parser)."""
    parser.add_argument("--stack", default="workbench",
                        help="stack name, also the workgroup's (default: %(default)s)")
    parser.add_argument("--log-bucket", help="bucket the logs are in (required unless --upload-only)")
    parser.add_argument("--artifact-bucket", required=True,
                        help="bucket of yours, in the stack's region, for the Lambda code, wheel and notebooks")
    parser.add_argument("--artifact-prefix", default="workbench/", help="key prefix there (default: %(default)s)")
    parser.add_argument("--log-prefix", help="key prefix before AWSLogs/ (and s3-access-logs/), if any")
    parser.add_argument("--org-id", help="organisation id of an organisation trail (o-...)")
    parser.add_argument("--accounts", help="account ids to project, comma-separated (default: this account)")
    parser.add_argument("--regions", help="regions to project, comma-separated (default: the stack's region)")
    parser.add_argument("--start", help="first projected day, YYYY-MM-DD (default: 2024-01-01)")
    parser.add_argument("--waf-log-bucket", help="the aws-waf-logs-... bucket your web ACLs log to, when it is not "
                        "the log bucket")
    parser.add_argument("--web-acls", help="names of the web ACLs that log there, comma-separated (the upkeep "
                        "Lambda adds those it finds)")
    parser.add_argument("--distributions", help="CloudFront distribution ids whose standard logs are in the log "
                        "bucket under AWSLogs/<account>/CloudFront/<id>/, comma-separated (the upkeep Lambda adds "
                        "those it finds)")
    parser.add_argument("--vpcs", help="VPC ids whose Route 53 Resolver query logs are in the log bucket under "
                        "AWSLogs/<account>/vpcdnsquerylogs/<vpc>/, comma-separated (the upkeep Lambda adds those "
                        "it finds)")
    parser.add_argument("--buckets", help="buckets whose server access logs are in the log bucket under "
                        "s3-access-logs/<account>/<region>/<bucket>/ (target prefix s3-access-logs/, date-based "
                        "partitioning), comma-separated (the upkeep Lambda adds those it finds)")
    parser.add_argument("--hive-paths", metavar="SOURCE,...",
                        help="sources delivered with Hive-compatible S3 prefixes (vpcflow, cloudfront): their "
                        "tables have no projection and the upkeep Lambda registers their partitions")
    parser.add_argument("--database", help="Glue database (default: security_logs)")
    parser.add_argument("--log-kms-keys", help="ARNs of KMS keys that encrypt the logs, comma-separated")
    parser.add_argument("--scan-cutoff", help="bytes a query may scan, e.g. 100G (default: 100 GiB)")
    parser.add_argument("--notebook-type", help="notebook instance type (default: ml.t3.medium)")
    parser.add_argument("--subnet", help="VPC subnet of the notebook (needs S3, Athena, Glue and SageMaker "
                        "endpoints or a NAT gateway; the notebook has no direct internet access unless "
                        "--notebook-internet)")
    parser.add_argument("--notebook-internet", action="store_true",
                        help="give the notebook direct internet access (no subnet needed; off by default)")
    parser.add_argument("--package-index", metavar="URL",
                        help="let the notebook and the report job fetch what the uploaded wheelhouse lacks "
                             "from this package index (default: none; everything installs from the upload, by hash)")
    parser.add_argument("--security-groups", help="security groups of the notebook, comma-separated")
    parser.add_argument("--code-repository", help="git URL cloned into the notebook")
    parser.add_argument("--report-schedule", help="EventBridge Scheduler expression of the daily report")
    parser.add_argument("--upkeep-schedule", help="EventBridge Scheduler expression of the upkeep Lambda")
    parser.add_argument("--extras", help="package extras installed with the workbench (default: athena)")
    parser.add_argument("--no-notebook", action="store_true", help="no notebook instance")
    parser.add_argument("--no-upkeep", action="store_true", help="no partition-upkeep Lambda")
    parser.add_argument("--no-reports", action="store_true", help="no scheduled report")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="any other template parameter (repeatable)")
    parser.add_argument("--wheel", type=Path, help="use this workbench wheel instead of building one")
    parser.add_argument("--without-dependencies", action="store_true",
                        help="upload only the workbench wheel, not every dependency's wheel and their hash locks "
                             "(the stack then needs --package-index, or the dependencies already installed)")
    parser.add_argument("--region", help="AWS region of the stack (default: the profile's)")
    parser.add_argument("--no-wait", action="store_true", help="return once CloudFormation has the request")
    parser.add_argument("--dry-run", action="store_true", help="check and package only; send nothing to AWS")
    parser.add_argument("--upload-only", action="store_true",
                        help="upload the code and print its CodeVersion, leave the stack alone (StackSets)")
    return parser


def stack_parameters(args: argparse.Namespace) -> dict:
    """Template parameters from parsed options; options not given are left out."""
    params = {}
    for option, name in OPTIONS.items():
        value = getattr(args, option, None)
        if value is not None:
            params[name] = value
    for option, name in _SWITCHES.items():
        if getattr(args, option, False):
            params[name] = "false"
    if "ProjectionStartDate" in params:
        params["ProjectionStartDate"] = params["ProjectionStartDate"].replace("-", "/")
    if params.get("LogPrefix"):
        params["LogPrefix"] = params["LogPrefix"].strip("/") + "/"
    if "BytesScannedCutoffPerQuery" in params:
        params["BytesScannedCutoffPerQuery"] = str(parse_size(params["BytesScannedCutoffPerQuery"]))
    hive = {v.strip() for v in (getattr(args, "hive_paths", None) or "").split(",") if v.strip()}
    unknown = hive - set(_HIVE_PARAMETERS)
    if unknown:
        raise UsageError(f"--hive-paths {','.join(sorted(unknown))}: Hive-compatible prefixes are an option of "
                         f"{' and '.join(_HIVE_PARAMETERS)} only")
    params.update({_HIVE_PARAMETERS[name]: "hive" for name in sorted(hive)})
    if getattr(args, "notebook_internet", False):
        params["NotebookDirectInternetAccess"] = "Enabled"
    for pair in args.parameter:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--parameter {pair!r} is not KEY=VALUE")
        params[key.strip()] = value
    return params


def run(args: argparse.Namespace) -> int:
    """The ``workbench deploy`` command."""
    from workbench.aws.deploy import deploy

    if not args.log_bucket and not args.upload_only:
        raise UsageError("--log-bucket is required: the bucket the trail (and flow logs, GuardDuty) write to")
    deploy(args.stack, stack_parameters(args), artifact_bucket=args.artifact_bucket,
           artifact_prefix=args.artifact_prefix, wheel=args.wheel, with_dependencies=not args.without_dependencies,
           region=args.region, wait=not args.no_wait, dry_run=args.dry_run, upload_only=args.upload_only)
    return 0
