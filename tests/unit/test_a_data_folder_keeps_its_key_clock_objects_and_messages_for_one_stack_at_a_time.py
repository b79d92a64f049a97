"""The local stack's data folder (chalicelib/localstack.py `DataFolder`), piece by piece, without starting a stack.

The restart as a whole is tested over HTTP (tests/e2e/test_a_restarted_stack_keeps_what_its_users_made.py);
here each thing the folder keeps is written and read back, and what is refused is refused.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest

from chalicelib import localstack
from chalicelib.dynamodb_local import DynamoDBLocalUnavailable, install
from chalicelib.localstack import DataFolder, DataFolderInUse, _Journal, _ObjectMirror
from chalicelib.wiring import ShiftedClock, real_clock


def test_a_second_stack_is_refused_a_folder_in_use_and_gets_it_once_the_first_lets_go(tmp_path):
    first = DataFolder.open(tmp_path / "data")
    with pytest.raises(DataFolderInUse, match="in use by another local stack"):
        DataFolder.open(tmp_path / "data")
    first.close()
    DataFolder.open(tmp_path / "data").close()


def test_the_signing_key_is_made_once_readable_by_its_owner_only(tmp_path):
    folder = DataFolder.open(tmp_path)
    try:
        key = folder.signing_key()
        assert folder.signing_key() == key and len(key) >= 32
        assert stat.S_IMODE((tmp_path / "jwt-dev-key").stat().st_mode) == 0o600
    finally:
        folder.close()


def test_a_set_business_clock_is_kept_and_forgotten_once_reset(tmp_path):
    folder = DataFolder.open(tmp_path)
    try:
        assert folder.clock() is None
        folder.keep_clock(ShiftedClock(timedelta(days=90, seconds=7)))
        assert folder.clock() == ShiftedClock(timedelta(days=90, seconds=7))
        folder.keep_clock(real_clock)
        assert folder.clock() is None
    finally:
        folder.close()


def test_only_a_folder_never_seeded_is_fresh(tmp_path):
    folder = DataFolder.open(tmp_path)
    try:
        assert folder.fresh
        folder.mark_seeded()
        assert not folder.fresh
    finally:
        folder.close()


def test_objects_are_written_through_as_moto_stores_and_deletes_them_and_loaded_back_without_an_upload_event(tmp_path, monkeypatch):
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    localstack._install_write_through()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kept")
        s3.put_bucket_versioning(Bucket="kept", VersioningConfiguration={"Status": "Enabled"})
        s3.create_bucket(Bucket="not-kept")
        monkeypatch.setattr(localstack, "_mirror", _ObjectMirror(tmp_path / "s3", {"kept"}))
        s3.put_object(Bucket="kept", Key="cases/a/photo/1.jpg", Body=b"\xff\xd8 a photo", ContentType="image/jpeg")
        s3.put_object(Bucket="kept", Key="cases/a/photo/2.jpg", Body=b"deleted later", ContentType="image/jpeg")
        s3.delete_object(Bucket="kept", Key="cases/a/photo/2.jpg")
        s3.put_object(Bucket="not-kept", Key="x", Body=b"elsewhere")
        monkeypatch.setattr(localstack, "_mirror", None)
    kept = sorted(p.name for p in (tmp_path / "s3").rglob("*") if p.is_file())
    assert kept == ["cases%2Fa%2Fphoto%2F1.jpg", "cases%2Fa%2Fphoto%2F1.jpg"]  # its bytes and its metadata

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="kept")
        assert _ObjectMirror(tmp_path / "s3", {"kept"}).load() == 1
        loaded = boto3.client("s3", region_name="us-east-1").get_object(Bucket="kept", Key="cases/a/photo/1.jpg")
        assert loaded["Body"].read() == b"\xff\xd8 a photo" and loaded["ContentType"] == "image/jpeg"
        assert s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets["kept"].keys.getlist("cases/a/photo/1.jpg")  # one version


def test_sent_messages_are_journaled_and_a_line_a_kill_cut_short_is_left_out(tmp_path):
    journal = _Journal(tmp_path / "sent.jsonl")
    journal.append({"channel": "sms", "id": "m1", "to": "+8613905590001", "text": "您的社会保障卡已启用"})
    with (tmp_path / "sent.jsonl").open("a") as out:
        out.write('{"channel": "sms", "id": "m2", "to": "+861390')
    assert journal.entries() == [{"channel": "sms", "id": "m1", "to": "+8613905590001", "text": "您的社会保障卡已启用"}]
    assert json.loads((tmp_path / "sent.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"] == "您的社会保障卡已启用"


def test_dynamodb_local_is_refused_in_a_sentence_where_there_is_no_java(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DynamoDBLocalUnavailable, match="needs Java 17"):
        install()
