"""The deployed package carries the cooperating banks (read at run time by chalicelib.domain.banks)."""

from __future__ import annotations

import zipfile
from pathlib import Path


def test_the_zip_ships_the_banks_file(package_dir: Path) -> None:
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        assert "data/banks.json" in archive.namelist()
