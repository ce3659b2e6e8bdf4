"""AWS plumbing shared by the Athena engine, ``workbench sync`` and ``workbench doctor``.

boto3 and awswrangler are optional (``pip install 'awswrangler>=3.9' 'boto3>=1.34'``): they are imported
only here and only when asked for, so the local engine never needs them.

Every AWS error a user can act on is turned into one :class:`~workbench.errors.WorkbenchError`
whose message says what went wrong and what to do about it: missing or expired
credentials, missing permissions, a missing bucket, database, table or workgroup, an
Athena query that failed, and a query stopped by the workgroup's scan cutoff.

Endpoints follow boto3's own configuration, so ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_S3``, ``_ATHENA``, ``_GLUE``, ``_STS``) points everything at another
server, such as a local one that speaks the AWS API in tests.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from typing import Any

from workbench.distribution import install_hint
from workbench.errors import QueryFailed, WorkbenchError

#: What to install for the AWS features.
INSTALL_HINT = install_hint("athena")

_CREDENTIAL_CODES = {
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthFailure", "InvalidToken",
    "InvalidSignatureException", "IncompleteSignature",
}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "AllAccessDisabled", "UnauthorizedOperation"}
_MISSING_CODES = {"NoSuchBucket", "EntityNotFoundException", "ResourceNotFoundException", "NoSuchKey",
                  "MetadataException"}

CREDENTIALS_FIX = (
    "configure credentials: 'aws configure' (access keys), 'aws sso login --profile NAME' and "
    "AWS_PROFILE=NAME (IAM Identity Center), or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
    "environment variables; on SageMaker, attach an execution role to the notebook"
)


class AwsCredentialsError(WorkbenchError):
    """No AWS credentials were found, or the ones found are expired or invalid."""


class AwsAccessDenied(WorkbenchError):
    """The caller's identity lacks a permission the action needs."""


class AwsResourceMissing(WorkbenchError):
    """A bucket, Glue database or table, or Athena workgroup does not exist (or is unusable)."""


class AwsSettingsError(WorkbenchError):
    """A setting is missing or wrong: region, database, workgroup, result location."""


class ScanCutoffExceeded(QueryFailed):
    """Athena stopped the query because it read more than the workgroup allows per query."""


# -- optional imports --------------------------------------------------------------


def require(module: str) -> Any:
    """Import ``module`` (``boto3``, ``awswrangler``) or say exactly what to install.

    Raises
    ------
    AwsSettingsError
        If the package is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise AwsSettingsError(
            f"the AWS features need the {module.split('.')[0]} package, which is not installed; "
            f"run: {INSTALL_HINT}"
        ) from None


def session(boto3_session=None, *, region: str | None = None):
    """The boto3 session to use: the one given, else a new default session.

    Parameters
    ----------
    boto3_session : boto3.Session, optional
        Used as it is when given (its region wins unless it has none).
    region : str, optional
        Region for a new session (``None``: boto3's usual lookup, ``AWS_DEFAULT_REGION`` or
        the profile's region, then ``AWS_REGION``).
    """
    boto3 = require("boto3")
    region = region or None
    if boto3_session is None and not region and not boto3.Session().region_name:
        region = os.environ.get("AWS_REGION") or None  # set by Lambda, SageMaker and others
    if boto3_session is not None:
        if region and not boto3_session.region_name:
            return boto3.Session(botocore_session=boto3_session._session, region_name=region)
        return boto3_session
    return boto3.Session(region_name=region) if region else boto3.Session()


# -- error translation -------------------------------------------------------------


def error_code(err: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty for anything else)."""
    response = getattr(err, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def error_message(err: BaseException) -> str:
    """The AWS error message of a botocore ``ClientError`` (``str(err)`` for anything else)."""
    response = getattr(err, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "")) or str(err)


def translate(err: BaseException, *, action: str) -> WorkbenchError | None:
    """A :class:`WorkbenchError` for an AWS error, or ``None`` if it is not one we explain.

    Parameters
    ----------
    err : Exception
        What boto3 or botocore raised.
    action : str
        What was being done, for the message ("list s3://bucket/AWSLogs/").
    """
    from botocore import exceptions as bex

    name = type(err).__name__
    if isinstance(err, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        return AwsCredentialsError(f"cannot {action}: no AWS credentials found; {CREDENTIALS_FIX}")
    if name in ("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError",
                "SSOError", "CredentialRetrievalError"):
        return AwsCredentialsError(
            f"cannot {action}: the AWS sign-in has expired or could not be loaded ({err}); "
            "run 'aws sso login' (with --profile NAME if you use one) and try again"
        )
    if isinstance(err, bex.NoRegionError):
        return AwsSettingsError(
            f"cannot {action}: no AWS region is set; set AWS_DEFAULT_REGION (e.g. us-east-1) or, "
            "for Athena, WORKBENCH_ATHENA_REGION or 'region' in the workbench config file"
        )
    if isinstance(err, bex.EndpointConnectionError):
        return AwsSettingsError(
            f"cannot {action}: the AWS endpoint could not be reached ({err}); check the network, "
            "a proxy, and that the region name is right"
        )
    code = error_code(err)
    message = error_message(err)
    if code in _CREDENTIAL_CODES:
        return AwsCredentialsError(
            f"cannot {action}: AWS refused the credentials ({code}: {message}); they are expired or "
            f"invalid: refresh them ('aws sso login', new keys) or {CREDENTIALS_FIX}"
        )
    if code in _DENIED_CODES or code == "403" or "access denied" in message.lower():
        return AwsAccessDenied(
            f"cannot {action}: access denied ({message}); the identity in use needs that permission: "
            "attach the workbench's reader policy (infra/) to it, or use a profile that has it"
        )
    if code in _MISSING_CODES or code == "404":
        return AwsResourceMissing(f"cannot {action}: {message or 'not found'}")
    return None


@contextlib.contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Turn AWS errors raised inside the block into :class:`WorkbenchError` messages.

    Errors that :func:`translate` does not recognise are re-raised unchanged.

    Examples
    --------
    >>> with aws_errors("list s3://my-bucket/AWSLogs/"):     # doctest: +SKIP
    ...     client.list_objects_v2(Bucket="my-bucket", Prefix="AWSLogs/", Delimiter="/")
    """
    try:
        yield
    except WorkbenchError:
        raise
    except Exception as err:
        mapped = translate(err, action=action)
        if mapped is None:
            raise
        raise mapped from None


def split_s3_url(url: str) -> tuple[str, str]:
    """``("bucket", "prefix")`` of ``s3://bucket/prefix``; the prefix has no leading or trailing ``/``.

    Raises
    ------
    AwsSettingsError
        If ``url`` is not an ``s3://`` URL with a bucket name.

    Examples
    --------
    >>> split_s3_url("s3://my-logs/org/AWSLogs/")
    ('my-logs', 'org/AWSLogs')
    """
    if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
        raise AwsSettingsError(f"{url!r} is not an S3 URL; expected s3://bucket or s3://bucket/prefix")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")
