"""Materials once (domain.md §4): which materials a case needs, and what data sharing covers."""

from __future__ import annotations

import io
from itertools import chain, combinations
from types import SimpleNamespace

import pytest
from PIL import Image

from chalicelib.domain.catalogue import CATALOGUE, Material, MatterCode, required_materials
from chalicelib.domain.uploads import inspect_upload
from chalicelib.services.cases import materials_for

ALL = list(MatterCode)
SUBSETS = [set(c) for c in chain.from_iterable(combinations(ALL, n) for n in range(1, len(ALL) + 1))]
CARD_DOCS = {Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.PHOTO}
AGENT_DOCS = {Material.ID_CARD_FRONT, Material.ID_CARD_BACK, Material.AGENT_ID_CARD_FRONT, Material.AGENT_ID_CARD_BACK}


def expected(codes: set[MatterCode], agent: bool) -> set[Material]:
    needed = set(CARD_DOCS) if codes & {MatterCode.APPLY, MatterCode.REISSUE} else set()
    return needed | (AGENT_DOCS if agent else set())


@pytest.mark.parametrize("agent", [False, True], ids=["in-person", "agent"])
def test_every_matter_combination_needs_each_material_exactly_once(agent):
    for codes in SUBSETS:
        needed = required_materials(codes, agent=agent)
        assert len(needed) == len(set(needed)), codes
        assert set(needed) == expected(codes, agent), codes


def test_a_material_asked_for_by_several_matters_is_requested_once():
    both = required_materials({MatterCode.APPLY, MatterCode.REISSUE, MatterCode.STATUS_QUERY})
    assert both.count(Material.PHOTO) == 1 and both.count(Material.ID_CARD_FRONT) == 1
    assert sum(Material.PHOTO in CATALOGUE[c].materials for c in (MatterCode.APPLY, MatterCode.REISSUE)) == 2


class FakeSharing:
    def __init__(self, id_license: bool, police_photo: bool):
        self.answer = {"id_license": id_license, "police_photo": police_photo}
        self.calls = 0

    def shared_materials(self, id_number: str) -> dict[str, bool]:
        self.calls += 1
        return self.answer


@pytest.mark.parametrize("id_license", [False, True])
@pytest.mark.parametrize("police_photo", [False, True])
@pytest.mark.parametrize("agent", [False, True])
def test_data_sharing_provides_what_it_holds_and_the_rest_must_be_uploaded(id_license, police_photo, agent):
    for codes in SUBSETS:
        sharing = FakeSharing(id_license, police_photo)
        items = materials_for(
            SimpleNamespace(data_sharing=sharing), "341003199002150037", list(codes), agent=agent, at="2026-11-29T00:00:00+00:00"
        )
        by_kind = {i["kind"]: i for i in items}
        assert set(by_kind) == {m.value for m in expected(codes, agent)}
        for kind, item in by_kind.items():
            shared = (kind in ("id_card_front", "id_card_back") and id_license) or (kind == "photo" and police_photo)
            if shared:
                assert (item["status"], item["source"], item["provided_at"]) == ("provided", "data_sharing", "2026-11-29T00:00:00+00:00")
            else:
                assert item["status"] == "required" and "source" not in item
        assert sharing.calls == (1 if items else 0)  # asked once per case, not per matter


def picture(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, kind)
    return buffer.getvalue()


def test_uploads_are_checked_by_content_not_by_name():
    limit = 5 * 1024 * 1024
    assert inspect_upload(picture("JPEG"), "image/jpeg", limit).ok
    assert inspect_upload(picture("PNG"), "image/png", limit).ok
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Root 1 0 R>>endobj\nstartxref\n0\n%%EOF\n"
    assert inspect_upload(pdf, "application/pdf", limit).ok
    renamed_text = b"this is a text file renamed to photo.jpg"
    assert inspect_upload(renamed_text, "image/jpeg", limit).reason == "文件不是 JPEG、PNG 图片或 PDF 文件"
    png_as_jpeg = inspect_upload(picture("PNG"), "image/jpeg", limit)
    assert not png_as_jpeg.ok and "PNG" in png_as_jpeg.reason
    truncated = picture("PNG")[:40]
    assert not inspect_upload(truncated, "image/png", limit).ok
    assert not inspect_upload(b"", "image/jpeg", limit).ok
    oversize = inspect_upload(picture("JPEG"), "image/jpeg", 100)
    assert not oversize.ok and oversize.reason == "文件超过100字节的大小限制"
    assert inspect_upload(b"x" * (5 * 1024 * 1024 + 1), "image/jpeg", limit).reason == "文件超过5MB的大小限制"
    assert not inspect_upload(b"%PDF-1.4 no end", "application/pdf", limit).ok


def test_a_decompression_bomb_is_rejected_not_decoded():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # tiny file, 81M pixels
    verdict = inspect_upload(buffer.getvalue(), "image/png", 5 * 1024 * 1024)
    assert len(buffer.getvalue()) < 100_000
    assert not verdict.ok and "无法作为" in verdict.reason
