"""``workbench verify``: CloudTrail's digests, chained and signed, against a local copy.

The sample generator signs its digests with a test key; each test copies a small sample,
tampers with it the way an intruder covering their tracks would, and expects each change named.
"""

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import UsageError
from workbench.integrity import PublicKeys, read_digest, read_metadata, signing_string, verify_logs
from workbench.integrity.layout import metadata_path
from workbench.sample import generate
from workbench.sample.digest_signer import PUBLIC_KEYS_FILE, public_der

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    out = tmp_path_factory.mktemp("signed")
    generate(out, start=START, days=2, accounts=2, regions=("us-east-1", "eu-west-1"), org_id="auto",
             seed=11, scale=0.05)
    return out


@pytest.fixture()
def logs(pristine, tmp_path):
    copy = tmp_path / "logs"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def keys(pristine):
    return PublicKeys.from_file(pristine / PUBLIC_KEYS_FILE)


def log_files(logs: Path) -> list[Path]:
    return sorted(p for p in (logs / "AWSLogs").rglob("*.json.gz") if "/CloudTrail/" in p.as_posix())


def digests(logs: Path) -> list[Path]:
    return sorted(p for p in (logs / "AWSLogs").rglob("*.json.gz") if "/CloudTrail-Digest/" in p.as_posix())


def kinds(report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.findings:
        found.setdefault(f.kind, []).append(f.path)
    return found


def rel(logs: Path, path: Path) -> str:
    return path.relative_to(logs).as_posix()


def test_an_untouched_copy_is_verified(logs, keys, capsys):
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert report.status == "verified", report.summary()
    assert report.digests == len(digests(logs)) == report.signatures
    in_window = [p for p in log_files(logs) if "/2026/11/03/" not in p.as_posix()]
    assert report.files == len(in_window) > 0 and not report.findings
    code = main(["verify", "--logs", str(logs), "--start", "2026-11-01", "--end", "2026-11-02",
                 "--public-keys", str(logs / PUBLIC_KEYS_FILE)])
    assert code == 0 and ": verified" in capsys.readouterr().out


def test_a_changed_log_file_is_named(logs, keys):
    victim = log_files(logs)[5]
    body = json.loads(gzip.decompress(victim.read_bytes()))
    body["Records"] = body["Records"][1:]  # one event removed, the rest as delivered
    victim.write_bytes(gzip.compress(json.dumps(body).encode()))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert kinds(report) == {"modified": [rel(logs, victim)]}
    assert report.status == "1 problem"


def test_a_deleted_log_file_is_named(logs, keys, capsys):
    victim = log_files(logs)[7]
    victim.unlink()
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert kinds(report) == {"missing": [rel(logs, victim)]}
    code = main(["verify", "--logs", str(logs), "--start", "2026-11-01", "--end", "2026-11-02",
                 "--public-keys", str(logs / PUBLIC_KEYS_FILE)])
    out = capsys.readouterr().out
    assert code == 1 and "missing (1)" in out and victim.name in out


def test_an_added_log_file_is_named(logs, keys):
    model = log_files(logs)[3]
    added = model.with_name(model.name.replace(model.name.split("_")[-1], "Planted00000000.json.gz"))
    added.write_bytes(gzip.compress(b'{"Records":[]}'))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert kinds(report) == {"unlisted": [rel(logs, added)]}


def test_a_file_newer_than_the_last_digest_is_noted_not_judged(logs, keys):
    folder = log_files(logs)[0].parent.parent / "02"
    late = folder / log_files(logs)[0].name.replace("20261101T", "20261102T").rsplit("_", 2)[0]
    late = late.with_name(f"{late.name}_20261103T0500Z_Late0000000000000.json.gz")
    late.write_bytes(gzip.compress(b'{"Records":[]}'))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert kinds(report) == {"awaiting": [rel(logs, late)]} and not report.problems
    assert report.status == "not verifiable"


def test_a_deleted_digest_breaks_the_chain_and_is_named(logs, keys):
    chain = [d for d in digests(logs) if "/us-east-1/" in d.as_posix()]
    victim = chain[len(chain) // 2]
    listed = [rel(logs, logs / f.key[f.key.index("AWSLogs/"):]) for f in read_digest(victim).files]
    victim.unlink()
    metadata_path(victim).unlink()
    report = verify_logs(logs, start=START, end=END, keys=keys)
    found = kinds(report)
    assert found["digest missing"] == [rel(logs, victim)]
    assert sorted(found.get("unlisted", [])) == sorted(listed), "the files only it listed are now unlisted"


def test_a_rewritten_digest_fails_its_signature_and_the_chain(logs, keys):
    chain = [d for d in digests(logs) if "/eu-west-1/" in d.as_posix()]
    victim = next(d for d in chain[:-1] if read_digest(d).files)
    doc = json.loads(gzip.decompress(victim.read_bytes()))
    doc["logFiles"] = doc["logFiles"][1:]  # hide one log file from the record
    victim.write_bytes(gzip.compress(json.dumps(doc).encode()))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    found = kinds(report)
    assert found["bad signature"] == [rel(logs, victim)]
    assert found["digest modified"] == [rel(logs, victim)], "the next digest records another hash"


def test_a_digest_signed_again_with_another_key_is_not_verified(logs, keys):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    victim = digests(logs)[-1]  # the newest: no later digest records its hash
    doc = json.loads(gzip.decompress(victim.read_bytes()))
    doc["logFiles"] = []
    doc["digestPublicKeyFingerprint"] = "00" * 16
    body = json.dumps(doc).encode()
    victim.write_bytes(gzip.compress(body))
    text = signing_string(doc["digestEndTime"], doc["digestS3Bucket"], doc["digestS3Object"],
                          hashlib.sha256(body).hexdigest(), doc["previousDigestSignature"])
    signature = intruder.sign(text, padding.PKCS1v15(), hashes.SHA256()).hex()
    metadata_path(victim).write_text(json.dumps({"signature": signature, "signature-algorithm": "SHA256withRSA"}))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    found = kinds(report)
    assert found["no key"] == [rel(logs, victim)] and report.status != "verified"


def test_a_moved_digest_is_named(logs, keys):
    victim = digests(logs)[10]
    other = Path(str(victim.parent).replace("/us-east-1/", "/eu-west-1/")) if "/us-east-1/" in str(victim) \
        else Path(str(victim.parent).replace("/eu-west-1/", "/us-east-1/"))
    moved = other / victim.name.replace("_CloudTrail-Digest_us-east-1_", "_CloudTrail-Digest_eu-west-1_")
    shutil.copy(victim, moved)
    shutil.copy(metadata_path(victim), metadata_path(moved))
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert rel(logs, moved) in kinds(report)["digest moved"]


def test_digests_copied_without_their_signatures_are_not_verifiable(logs, keys, capsys):
    for d in digests(logs):
        metadata_path(d).unlink()
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert set(kinds(report)) == {"unsigned"} and report.status == "not verifiable"
    assert report.files > 0, "the hashes are still checked"
    code = main(["verify", "--logs", str(logs), "--start", "2026-11-01", "--end", "2026-11-02"])
    assert code == 3 and "not verifiable" in capsys.readouterr().out


def test_without_keys_hashes_and_the_chain_are_still_checked(logs):
    victim = log_files(logs)[2]
    victim.write_bytes(gzip.compress(b'{"Records":[]}'))
    report = verify_logs(logs, start=START, end=END)
    assert kinds(report)["modified"] == [rel(logs, victim)] and "no key" in kinds(report)


def test_a_digest_is_data_not_a_path(logs, keys, tmp_path):
    """Keys a digest lists are the attacker's text: nothing outside the folder is read or named missing."""
    outside = tmp_path / "secret.json.gz"
    outside.write_bytes(gzip.compress(b"secret"))
    victim = next(d for d in digests(logs) if read_digest(d).files)
    doc = json.loads(gzip.decompress(victim.read_bytes()))
    doc["logFiles"][0]["s3Object"] = "AWSLogs/../../secret.json.gz"
    doc["previousDigestS3Object"] = "/etc/passwd"
    victim.write_bytes(gzip.compress(json.dumps(doc).encode()))
    (victim.parent / "junk_CloudTrail-Digest_x.json.gz").write_bytes(b"\x1f\x8bnot gzip")
    report = verify_logs(logs, start=START, end=END, keys=keys)
    found = kinds(report)
    assert rel(logs, victim) in found["unreadable"] and rel(logs, victim) in found["bad signature"]
    assert not any("secret" in f.path or "passwd" in f.path for f in report.findings)


def test_symbolic_links_are_not_followed(logs, keys, tmp_path):
    victim = log_files(logs)[4]
    saved = tmp_path / "real.json.gz"
    shutil.move(victim, saved)
    os.symlink(saved, victim)
    report = verify_logs(logs, start=START, end=END, keys=keys)
    assert rel(logs, victim) in kinds(report)["unreadable"]


def test_a_sync_under_a_key_prefix_is_found(pristine, keys, tmp_path):
    copy = tmp_path / "out" / "trail-prefix"
    shutil.copytree(pristine / "AWSLogs", copy / "AWSLogs")
    report = verify_logs(tmp_path / "out", start=START, end=END, keys=keys)
    assert report.status == "verified" and report.digests > 0


def test_public_keys_come_from_list_public_keys_json_or_pem(pristine, tmp_path):
    from cryptography.hazmat.primitives import serialization

    from workbench.integrity import fingerprint

    doc = json.loads((pristine / PUBLIC_KEYS_FILE).read_text())
    assert doc["PublicKeyList"][0]["Fingerprint"] == fingerprint(public_der())
    pem = tmp_path / "key.pem"
    from workbench.sample.digest_signer import _key

    pem.write_bytes(_key().public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    assert set(PublicKeys.from_file(pem).keys) == set(PublicKeys.from_file(pristine / PUBLIC_KEYS_FILE).keys)
    for text, message in (("{}", "lists no public keys"), ("nonsense", "neither JSON"),
                          ('{"PublicKeyList": [{"Fingerprint": "ab", "Value": "%%%"}]}', "not base64")):
        (tmp_path / "bad.json").write_text(text)
        with pytest.raises(UsageError, match=message):
            PublicKeys.from_file(tmp_path / "bad.json")


def test_keys_are_fetched_from_cloudtrail_in_each_region(pristine):
    """ListPublicKeys returns DER bytes per region (botocore's own client, its responses stubbed)."""
    import boto3
    from botocore.stub import Stubber

    from workbench.aws.public_keys import fetch_public_keys

    made = []
    real = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")

    class Session:
        def client(self, name, region_name=None):
            client = real.client(name, region_name=region_name)
            stub = Stubber(client)
            stub.add_response("list_public_keys", {"PublicKeyList": [
                {"Value": public_der(), "Fingerprint": f"{region_name}-key"}], "NextToken": "next"})
            stub.add_response("list_public_keys", {"PublicKeyList": []})
            stub.activate()
            made.append(region_name)
            return client

    keys = fetch_public_keys(["us-east-1", "eu-west-1"], start=START, end=END, boto3_session=Session())
    assert made == ["us-east-1", "eu-west-1"] and set(keys.keys) == {"us-east-1-key", "eu-west-1-key"}


def test_the_sample_signs_what_cloudtrail_signs(pristine, keys):
    first = digests(pristine)[0]
    digest = read_digest(first)
    signature = read_metadata(first)["signature"]
    assert digest.previous_signature is None or digest.previous_key
    text = signing_string(digest.end_text, digest.bucket, digest.key, digest.sha256, digest.previous_signature)
    assert text.decode().splitlines()[1] == f"{digest.bucket}/{digest.key}"
    assert keys.check(digest.fingerprint, signature, text) is None
    assert keys.check(digest.fingerprint, signature, text + b"x") == "the signature does not match the digest"


def test_the_regions_to_ask_for_keys_are_found_under_a_key_prefix(pristine, tmp_path, keys):
    from workbench.integrity.verify import digest_regions

    shutil.copytree(pristine / "AWSLogs", tmp_path / "out" / "trail-prefix" / "AWSLogs")
    assert digest_regions(tmp_path / "out") == digest_regions(pristine) == ["eu-west-1", "us-east-1"]
    merged = keys | PublicKeys({"ab": None}, origin="other")
    assert set(merged.keys) == set(keys.keys) | {"ab"} and "other" in merged.origin
