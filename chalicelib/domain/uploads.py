"""What an uploaded material really is: checked by content, never by name (domain.md §4)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a photo or an ID scan is far smaller; more is a decompression bomb
ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
TYPE_NAMES = {"image/jpeg": "JPEG 图片", "image/png": "PNG 图片", "application/pdf": "PDF 文件"}


def size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g}MB"
    return f"{limit / 1024:g}KB" if limit >= 1024 else f"{limit}字节"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    detected: str | None
    reason: str = ""  # why the file is refused; empty when it is ok


def detect(data: bytes) -> str | None:
    """The content type the magic bytes say."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _decodes(data: bytes, detected: str) -> bool:
    if detected == "application/pdf":
        tail = data[-2048:]
        return b"%%EOF" in tail and (b"startxref" in tail or b"/Root" in data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return False
            image.verify()  # structure and checksums
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # the pixels themselves decode
            return image.width > 0 and image.height > 0
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def inspect_upload(data: bytes, declared: str, max_bytes: int) -> Verdict:
    """Accept a file only if it is what it was declared as, decodes, and fits the limit."""
    if len(data) == 0:
        return Verdict(False, None, "文件为空")
    if len(data) > max_bytes:
        return Verdict(False, None, f"文件超过{size_text(max_bytes)}的大小限制")
    detected = detect(data)
    if detected is None:
        return Verdict(False, None, "文件不是 JPEG、PNG 图片或 PDF 文件")
    if detected != declared:
        return Verdict(False, detected, f"文件实际为{TYPE_NAMES[detected]}，与声明的{TYPE_NAMES.get(declared, declared)}不符")
    if not _decodes(data, detected):
        return Verdict(False, detected, f"文件已损坏，无法作为{TYPE_NAMES[detected]}打开")
    return Verdict(True, detected)
