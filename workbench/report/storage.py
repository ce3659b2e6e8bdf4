"""Where reports go: a local folder, or an S3 prefix (``s3://bucket/prefix``).

Reports are always made in a local folder first; for an S3 destination they are then
uploaded with boto3 (``pip install 'awswrangler>=3.9' 'boto3>=1.34'``), each with the content type a
browser needs (``text/html`` pages open straight from the console or a presigned URL).
"""

from __future__ import annotations

from pathlib import Path

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json",
                 ".ipynb": "application/x-ipynb+json"}


def is_s3(url: str) -> bool:
    """True for an ``s3://`` URL."""
    return str(url).startswith("s3://")


def upload(folder: Path, url: str, names: list[str]) -> list[str]:
    """Upload ``folder/<name>`` for each name to ``url/<name>``; return the S3 URLs written.

    Raises
    ------
    WorkbenchError
        With what to do, for missing credentials, a missing bucket or a denied upload.
    """
    from workbench.aws.clients import aws_errors, session, split_s3_url

    bucket, prefix = split_s3_url(url)
    client = session().client("s3")
    written = []
    for name in names:
        key = f"{prefix}/{name}" if prefix else name
        body = (Path(folder) / name).read_bytes()
        with aws_errors(f"upload s3://{bucket}/{key}"):
            client.put_object(Bucket=bucket, Key=key, Body=body,
                              ContentType=CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream"))
        written.append(f"s3://{bucket}/{key}")
    return written
