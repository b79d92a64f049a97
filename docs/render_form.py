"""Render docs/form-2023.png: a multi-matter agent case at a counter, as the 2023 form.

Runs the local stack in-process, opens the case through the API, saves the form's
HTML in a temporary folder and has headless Chromium (Debian's `chromium`) take the
picture at A4 size. Run: .venv/bin/python docs/render_form.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ["SSCARD_STAGE"] = "local"
os.environ.setdefault("LOG_LEVEL", "WARNING")

from chalice.test import Client  # noqa: E402

from chalicelib import localstack  # noqa: E402


def main() -> None:
    import app

    stack = localstack.start()
    try:
        with Client(app.app, stage_name="local") as client:
            headers = {"Content-Type": "application/json"}
            claims = {"sub": "clerk-01", "roles": ["clerk"], "service_point": "HS-TX-01"}
            token = client.http.post("/dev/token", headers=headers, body=json.dumps(claims)).json_body["token"]
            headers["Authorization"] = f"Bearer {token}"
            body = {
                "consent": {"notice_version": "2023.1", "agreed": True},
                "applicant": {"id_number": "341004198811200040", "name": "刘洋"},
                "agent": {"name": "刘建国", "id_number": "341004196004120010", "phone": "13905599999", "relation": "父子"},
                "matters": [
                    {"code": "reissue", "form": {"kind": "lost", "bank": "中国农业银行黄山分行", "branch": "徽州支行"}},
                    {"code": "info_change", "form": {"phone": "13905598888", "address": "安徽省黄山市徽州区文峰路12号"}},
                    {"code": "status_query"},
                ],
                "contact": {"phone": "13905590003", "address": "安徽省黄山市徽州区岩寺镇文峰路9号"},
            }
            created = client.http.post("/counter/cases", headers=headers, body=json.dumps(body, ensure_ascii=False))
            assert created.status_code == 201, created.body
            html = client.http.get(f"/cases/{created.json_body['case_id']}/form", headers=headers).body.decode()
    finally:
        stack.stop()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as profile:
        page = Path(profile) / "form-2023.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                # A4 at 96 CSS px per inch (794 x 1123), drawn at 150 dpi so the small print stays legible.
                "--window-size=794,1123",
                "--force-device-scale-factor=1.5625",
                f"--screenshot={HERE / 'form-2023.png'}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    print(f"wrote {HERE / 'form-2023.png'}")


if __name__ == "__main__":
    main()
