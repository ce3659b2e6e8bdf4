"""A real Trino for the tests: fetched from Maven Central (pinned, checked), configured, started, stopped.

The release is the newest still published on Maven Central (:data:`VERSION`); later ones moved their
downloads elsewhere. Only what the tests need is fetched: ``trino-server-core`` and the Hive
connector's plugin, about 450 MB, kept between runs in ``~/.cache/workbench-tests/trino`` (or
``$WORKBENCH_TEST_TRINO_CACHE``) and checked against the SHA-256 pinned here.

The server is one node, coordinator and worker at once, on loopback, with a 2 GB heap, and one
catalog, ``hive``: the Hive connector with its file metastore and the local file system, rooted at
the folder the tests lay their logs out in. Trino 476 needs Java 24 or newer: ``$WORKBENCH_TEST_JAVA_HOME``,
else the Temurin 25 these machines carry, else ``$JAVA_HOME``.

``python -m tests.trino_server fetch`` downloads and checks the release (``make test`` runs it first,
so the download is a step of its own, with its own message when it fails).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

VERSION = "476"
MAVEN = "https://repo1.maven.org/maven2/io/trino"
#: What is fetched, and its SHA-256 (Maven Central's own .sha1 files agree with these downloads).
ARTIFACTS = {
    "core": (f"{MAVEN}/trino-server-core/{VERSION}/trino-server-core-{VERSION}.tar.gz",
             "0f388f9967c177ae70a47c099082fc95387f0c3cb96d8000d1d41fc3a5223158"),
    "hive": (f"{MAVEN}/trino-hive/{VERSION}/trino-hive-{VERSION}.zip",
             "611bacdb07d9f3cf7b9d47f97ecc76fa2e7ff8bfe8a9728c3d06adc1bfb8662e"),
}
CACHE = Path(os.environ.get("WORKBENCH_TEST_TRINO_CACHE") or Path.home() / ".cache" / "workbench-tests" / "trino")
JAVA_CANDIDATES = ("/usr/lib/jvm/temurin-25-jdk-amd64",)
START_TIMEOUT = 180


class TrinoUnavailable(RuntimeError):
    """Trino could not be fetched or started; the message says why and what to do."""


def fetch(*, say=print) -> Path:
    """The unpacked server with the Hive plugin (fetched and checked once), ready to configure."""
    home = CACHE / f"trino-server-{VERSION}"
    if (home / "bin" / "launcher").is_file() and (home / "plugin" / "hive").is_dir():
        return home
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    files = {name: _download(url, digest, downloads, say=say) for name, (url, digest) in ARTIFACTS.items()}
    partial = CACHE / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(files["core"]) as archive:
        archive.extractall(partial, filter="data")
    server = partial / f"trino-server-core-{VERSION}"
    with zipfile.ZipFile(files["hive"]) as archive:
        archive.extractall(server / "plugin")
    (server / "plugin" / f"trino-hive-{VERSION}").rename(server / "plugin" / "hive")
    for launcher in (server / "bin").rglob("launcher"):
        launcher.chmod(0o755)
    shutil.rmtree(home, ignore_errors=True)
    server.rename(home)
    shutil.rmtree(partial, ignore_errors=True)
    return home


def _download(url: str, digest: str, folder: Path, *, say) -> Path:
    target = folder / url.rsplit("/", 1)[1]
    if target.is_file() and _sha256(target) == digest:
        return target
    say(f"fetching {url} ...")
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except OSError as err:
        raise TrinoUnavailable(f"cannot fetch {url} ({err}): the tests need Trino {VERSION} from Maven Central; "
                               "check the network, or put the file in " + str(folder)) from None
    if _sha256(partial) != digest:
        partial.unlink()
        raise TrinoUnavailable(f"{url} does not have the pinned SHA-256 {digest}: refusing to run it")
    partial.rename(target)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def java_home() -> str:
    """A Java 24+ home for Trino, or :class:`TrinoUnavailable` naming what was looked at."""
    tried = [os.environ.get("WORKBENCH_TEST_JAVA_HOME"), *JAVA_CANDIDATES, os.environ.get("JAVA_HOME")]
    for home in filter(None, tried):
        java = Path(home) / "bin" / "java"
        if java.is_file():
            out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False).stderr
            version = out.split('"')[1] if '"' in out else ""
            if version and int(version.split(".")[0]) >= 24:
                return home
    raise TrinoUnavailable(f"Trino {VERSION} needs Java 24 or newer; none found in {[t for t in tried if t]}: "
                           "install a JDK 25 (e.g. Temurin) and set WORKBENCH_TEST_JAVA_HOME to it")


class TrinoServer:
    """One Trino process over ``root`` (its ``local://`` file system), started by :meth:`start`.

    Parameters
    ----------
    root : Path
        Where the logs are laid out; table locations are ``local:///<path below root>``.
    work : Path
        Where the server's configuration, data folder and log go.
    """

    def __init__(self, root: Path, work: Path):
        self.root, self.work = Path(root), Path(work)
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self) -> Path:
        """Write the server's ``etc/``; returns it."""
        etc = self.work / "etc"
        (etc / "catalog").mkdir(parents=True, exist_ok=True)
        (self.root / "metastore").mkdir(parents=True, exist_ok=True)
        (etc / "node.properties").write_text(
            f"node.environment=test\nnode.id=workbench-tests\nnode.data-dir={self.work / 'data'}\n")
        (etc / "jvm.config").write_text(
            "-server\n-Xmx2G\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n-Djdk.attach.allowAttachSelf=true\n")
        (etc / "config.properties").write_text(
            "coordinator=true\nnode-scheduler.include-coordinator=true\n"
            f"http-server.http.port={self.port}\ndiscovery.uri={self.url}\n"
            "node.internal-address=127.0.0.1\n"
            "query.max-memory=1GB\nquery.max-memory-per-node=1GB\n")
        (etc / "catalog" / "hive.properties").write_text(
            "connector.name=hive\nhive.metastore=file\nhive.metastore.catalog.dir=local:///metastore\n"
            f"fs.native-local.enabled=true\nlocal.location={self.root}\n"
            # as on Athena: a projected partition with no folder is an empty partition, not an error
            "hive.ignore-absent-partitions=true\n"
            # as on Athena: a partition's files may lie in folders below it (WAF's HH/mm)
            "hive.recursive-directories=true\n"
            # as the upkeep Lambda does on Glue: partitions of a table without projection registered by location
            "hive.allow-register-partition-procedure=true\n")
        return etc

    def start(self) -> None:
        """Start the server and wait until it takes queries.

        Raises
        ------
        TrinoUnavailable
            When it cannot be fetched, has no Java to run on, or does not come up (the end of
            its log is in the message).
        """
        home = fetch()
        java = java_home()
        etc = self.configure()
        env = {**os.environ, "JAVA_HOME": java, "PATH": f"{java}/bin:{os.environ.get('PATH', '')}"}
        self.log = self.work / "server.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([str(home / "bin" / "launcher"), "run", f"--etc-dir={etc}"],
                                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self._ready():
                return
            time.sleep(0.5)
        tail = self.log.read_text(errors="replace")[-3000:]
        self.stop()
        raise TrinoUnavailable(f"Trino {VERSION} did not start within {START_TIMEOUT} s; the end of its log:\n{tail}")

    def _ready(self) -> bool:
        """Whether the server is up and its one node takes work (a fresh server says "started" first)."""
        import json

        try:
            with urllib.request.urlopen(f"{self.url}/v1/info", timeout=2) as response:
                if json.loads(response.read()).get("starting") is not False:
                    return False
        except OSError:
            return False
        import trino

        try:
            cursor = trino.dbapi.connect(host="127.0.0.1", port=self.port, user="workbench").cursor()
            cursor.execute("SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'")
            return cursor.fetchall()[0][0] > 0
        except Exception:  # not ready yet, whatever it says
            return False

    def wait_for_workers(self, probe: str, *, timeout: float = 60) -> None:
        """Run ``probe`` until the scheduler has a node for it: a node counted active may not yet
        serve a catalog's splits (``NO_NODES_AVAILABLE``) on a loaded machine."""
        import trino

        deadline = time.monotonic() + timeout
        while True:
            try:
                cursor = trino.dbapi.connect(host="127.0.0.1", port=self.port, user="workbench").cursor()
                cursor.execute(probe)
                cursor.fetchall()
                return
            except trino.exceptions.TrinoQueryError as err:
                if err.error_name != "NO_NODES_AVAILABLE" or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def stop(self) -> None:
        """Stop the server (its whole process group)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    if sys.argv[1:] != ["fetch"]:
        sys.exit("usage: python -m tests.trino_server fetch")
    try:
        print(f"Trino {VERSION} ready in {fetch()} (Java: {java_home()})")
    except TrinoUnavailable as err:
        sys.exit(f"trino: {err}")
