"""The materials bucket of the service-level tests (tests/service/fakes.py `MaterialsInMemory`) answers as the
S3 adapter (chalicelib/adapters/materials.py) does on moto: the same objects, sizes, deletions and counts."""

from __future__ import annotations

import os
import secrets
from typing import Any

from chalicelib.adapters.materials import S3MaterialStore
from tests.service.fakes import MaterialsInMemory

CASE = "cases/00000000-0000-4000-8000-000000000001"


def script(store: Any, put: Any) -> list[Any]:
    """What a case's materials go through: links, uploads, the content check's reads, a rejected file, retention."""
    seen: list[Any] = []
    link = store.upload_link(f"{CASE}/photo/{'a' * 32}.jpg", "image/jpeg", 5 * 1024 * 1024, 900)
    seen.append(("upload_link", link["fields"]["key"], link["fields"]["Content-Type"]))
    seen.append(("download_link names the key", f"{CASE}/photo/{'a' * 32}.jpg" in store.download_link(f"{CASE}/photo/{'a' * 32}.jpg", 300)))
    for kind, data in (("photo", b"\xff\xd8\xff photo"), ("id_card_front", b"\x89PNG front"), ("id_card_back", b"%PDF back")):
        put(f"{CASE}/{kind}/{'a' * 32}.jpg", data)
    put("cases/00000000-0000-4000-8000-000000000002/photo/b.jpg", b"another case's")
    seen.append(("size", store.size(f"{CASE}/photo/{'a' * 32}.jpg"), store.size(f"{CASE}/photo/missing.jpg")))
    seen.append(("read", store.read(f"{CASE}/id_card_front/{'a' * 32}.jpg")))
    store.delete(f"{CASE}/id_card_back/{'a' * 32}.jpg")
    store.delete(f"{CASE}/id_card_back/{'a' * 32}.jpg")  # a second delete of what is gone is no error
    seen.append(("after delete", store.size(f"{CASE}/id_card_back/{'a' * 32}.jpg")))
    seen.append(("delete_prefix", store.delete_prefix(f"{CASE}/"), store.delete_prefix(f"{CASE}/")))
    seen.append(("other case kept", store.size("cases/00000000-0000-4000-8000-000000000002/photo/b.jpg")))
    return seen


def test_the_in_memory_bucket_and_the_s3_store_go_through_a_cases_materials_alike():
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    import boto3
    from moto import mock_aws

    memory = MaterialsInMemory()
    on_memory = script(memory, memory.put)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        bucket = f"materials-{secrets.token_hex(4)}"  # a worker's local stack may share moto's backend
        s3.create_bucket(Bucket=bucket)
        store = S3MaterialStore(s3, bucket)
        assert store.bucket == bucket
        on_s3 = script(store, lambda key, data: s3.put_object(Bucket=bucket, Key=key, Body=data))
    assert on_memory == on_s3
    assert on_memory[-2] == ("delete_prefix", 2, 0)
