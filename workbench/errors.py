"""Errors a user can act on. Each message says what is wrong and what to do next.

The CLI prints these as one line and exits non-zero; anything else is a bug and keeps
its traceback.
"""


class WorkbenchError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class UsageError(WorkbenchError):
    """A parameter, option or name given by the user is wrong."""


class QueryDefinitionError(WorkbenchError):
    """A query file's header or SQL is malformed."""


class FullScanRefused(WorkbenchError):
    """A query would read a partitioned table without a time bound."""


class LogsNotFound(WorkbenchError):
    """The log folder does not hold an ``AWSLogs/`` tree."""


class QueryFailed(WorkbenchError):
    """The engine could not run the query."""


class UnreadableFiles(WorkbenchError):
    """Strict mode: some log files could not be read whole."""


class UnknownName(UsageError, KeyError):
    """A name that no registry entry has (an engine, a log source, a file format): the message lists
    the known ones. Also a ``KeyError``, as for any failed lookup by name."""

    __str__ = Exception.__str__  # the message, not KeyError's quoted repr of it
