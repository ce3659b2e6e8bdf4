"""What talks to AWS or builds its resources: sessions and errors, the Athena settings,
``workbench ddl``, ``sync``, ``doctor`` and ``deploy``, the CloudFormation template reader and
the partition-upkeep Lambda.

boto3 and awswrangler are optional (``pip install 'awswrangler>=3.9' 'boto3>=1.34'``) and imported only
when a function needs them.
"""

from workbench.aws.clients import (
                                   AwsAccessDenied,
                                   AwsCredentialsError,
                                   AwsResourceMissing,
                                   AwsSettingsError,
                                   ScanCutoffExceeded,
                                   aws_errors,
                                   require,
                                   session,
                                   split_s3_url,
)

__all__ = ["AwsAccessDenied", "AwsCredentialsError", "AwsResourceMissing", "AwsSettingsError",
           "ScanCutoffExceeded", "aws_errors", "require", "session", "split_s3_url"]
