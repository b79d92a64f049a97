"""Free text a person types (names, addresses, reasons, form fields): what may be stored and printed.

Text is compared and stored in Unicode NFC, so one name has one spelling. After that, characters
that are invisible or change how text around them is shown are refused rather than removed: a
NUL or ESC can cut or corrupt the printed form, a right-to-left override (U+202E) turns "abc" into
what looks like "cba", and a zero-width space makes two identical-looking names differ. Removing
them silently would change what the person wrote without telling them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Unicode categories refused: controls (Cc: NUL, ESC, DEL...), format characters (Cf: the bidi
# embeddings, overrides and isolates U+202A-202E and U+2066-2069, the zero-width characters
# U+200B-200F, U+2060 and U+FEFF, tag characters), lone surrogates (Cs: not text, and not encodable
# as UTF-8) and the line and paragraph separators (Zl, Zp). Private-use characters (Co) are kept:
# some rare characters in Chinese names (生僻字) are still encoded there.
_REFUSED = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x061C}
_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF}
LINE_BREAKS = "\n\r"


@dataclass(frozen=True)
class UnsafeCharacter:
    position: int  # 1-based, as a person counts
    character: str

    @property
    def kind(self) -> str:
        point = ord(self.character)
        if point in _BIDI:
            return "文字方向控制符"
        if point in _ZERO_WIDTH:
            return "零宽字符"
        if unicodedata.category(self.character) == "Cc":
            return "控制字符"
        return "不可见的格式字符"

    @property
    def message(self) -> str:
        return f"第{self.position}个字符是不允许的{self.kind}（U+{ord(self.character):04X}），请删除后重新填写"


def normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def unsafe_character(text: str, line_breaks: bool = False) -> UnsafeCharacter | None:
    """The first refused character of (already normalised) `text`; line breaks are allowed only where asked (reasons)."""
    for index, character in enumerate(text):
        if line_breaks and character in LINE_BREAKS:
            continue
        if unicodedata.category(character) in _REFUSED:
            return UnsafeCharacter(index + 1, character)
    return None
