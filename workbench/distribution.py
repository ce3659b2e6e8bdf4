"""The installed distribution: its name, and what to install for an optional part.

The import package is ``workbench``; the distribution is :data:`DISTRIBUTION`. An unrelated
project called ``workbench`` exists on the public package index with a higher version, so no
install line this package prints, and nothing the stack runs, ever asks pip for
``workbench[...]``: a hint names the optional part's own requirements (``pip install
'awswrangler>=3.9' 'boto3>=1.34'``), read from this distribution's metadata, and the stack
installs the uploaded wheel by file and hash (``docs/security.md``).

>>> from workbench.distribution import install_hint
>>> install_hint("athena")                                                    # doctest: +SKIP
"pip install 'awswrangler>=3.9' 'boto3>=1.34'"
"""

from __future__ import annotations

import re
from functools import cache

#: The distribution's name on an index and in a wheel's file name (``aws_security_log_workbench-*.whl``).
DISTRIBUTION = "aws-security-log-workbench"
#: The same name as it appears in wheel and sdist file names.
WHEEL_PREFIX = DISTRIBUTION.replace("-", "_") + "-"


def wheel_name_is_ours(name: str) -> bool:
    """Whether a file name is a wheel of this distribution."""
    return name.startswith(WHEEL_PREFIX) and name.endswith(".whl")


@cache
def install_hint(extra: str) -> str:
    """The pip command that installs what the ``extra`` part needs, by the requirements' own names.

    Falls back to an editable install of the checkout when this distribution is not installed
    (running from a source tree on ``PYTHONPATH``).
    """
    from importlib import metadata

    try:
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return f"pip install -e '.[{extra}]' in this project's checkout (or: make install)"
    marker = re.compile(r"""extra\s*==\s*['"]""" + re.escape(extra) + r"""['"]""")
    wanted = []
    for requirement in requires:
        spec, _, markers = requirement.partition(";")
        if marker.search(markers):
            rest = marker.sub("", markers)
            if re.search(r"python_version", rest):
                continue  # a backport for older Pythons (tomli): not what a user is missing
            wanted.append(spec.strip().replace(" ", ""))
    if not wanted:
        return f"pip install -e '.[{extra}]' in this project's checkout (or: make install)"
    return "pip install " + " ".join(f"'{w}'" for w in wanted)
