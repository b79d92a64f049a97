"""`make run` stopped and started again on its data folder, then killed outright mid-case and started again.

Three starts of the real server process (`python -m chalicelib.local_server --data FOLDER`,
what `make run` runs), on DynamoDB Local, one data folder. The two stories share the
middle start, as starting a JVM and moto is what this test spends its time on:

- A restart after a stop (SIGTERM): a draft, an idempotent create, an uploaded material,
  a card activated (its SMS sent), a case waiting for its review, a token, counted before
  and after. After the restart each is there as it was, the old token works, nothing was
  seeded twice, and the waiting case (whose run was lost with the first process) is
  decided by the reviewer and completes. The first start's DynamoDB Local is gone once
  the server has stopped.
- A kill (SIGKILL) of the second start catches three cases at three stages: one just
  submitted (its run has not pre-judged it yet, or only just), one waiting for its review,
  and one whose review was decided a moment before (the first story's waiting case: its
  run recording the decision and finishing). Only the server is killed: DynamoDB Local
  must follow it by itself (the parent-death signal), or the restart would find the data
  folder still held. After the third start (whose reconciler resumes the lost runs) a
  reconciler pass finds nothing to start, resume or fail: every case still open has a
  running run. Then the waiting one is decided, and all three complete.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import demo_resident, jpeg
from tests.e2e.test_local_stack import free_port

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_CHANGE = [{"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}}]
APPLY = [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "屯溪支行"}}]
TERMINAL = {"completed", "partially_completed", "rejected", "failed", "withdrawn"}

pytestmark = pytest.mark.e2e


class Stack:
    """The local server on a data folder, as `make run` starts it; its output in a file (nobody drains a pipe)."""

    def __init__(self, data: Path, log: Path):
        from chalicelib.dynamodb_local import DynamoDBLocalUnavailable, install

        try:
            install()
        except (DynamoDBLocalUnavailable, OSError) as error:
            pytest.skip(f"DynamoDB Local is not available: {error}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSCARD_")}
        command = [sys.executable, "-m", "chalicelib.local_server", "--stage", "local", "--port", str(self.port), "--data", str(data)]
        with log.open("a") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180  # a JVM and moto on a busy machine
        while True:
            try:
                if requests.get(self.base + "/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert self.process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the local stack did not start in 180 s"
            time.sleep(0.5)
        self.children = children_of(self.process.pid)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, key: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if key:
            headers["Idempotency-Key"] = key
        return requests.request(method, self.base + path, json=body, headers=headers, timeout=30)

    def token(self, claims: dict[str, Any]) -> str:
        answer = self.call("POST", "/dev/token", claims)
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def case(self, case_id: str, token: str) -> dict[str, Any]:
        answer = self.call("GET", f"/cases/{case_id}", token=token)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_for(self, case_id: str, token: str, done: Any, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not done(case := self.case(case_id, token)):
            assert time.monotonic() < deadline, f"case {case_id} did not get there: {case}"
            time.sleep(0.3)
        return case

    def stop(self) -> None:
        """SIGTERM, as `kill` or a closing terminal sends it; the server stops DynamoDB Local on its way out."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def children_of(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    return {int(p) for p in found}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")  # a zombie has ended; its parent reaps it


def awaiting_review(case: dict[str, Any]) -> bool:
    return case["matters"][0]["status"] == "awaiting_review"


def new_case(stack: Stack, token: str, matters: list[dict], phone: str, key: str | None = None) -> requests.Response:
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": matters,
        "contact": {"phone": phone, "address": "安徽省黄山市屯溪区新安北路18号"},
    }
    return stack.call("POST", "/cases", body, token, key)


def upload(stack: Stack, token: str, case_id: str, kind: str, content: bytes) -> None:
    declared = stack.call("POST", f"/cases/{case_id}/materials", {"kind": kind, "content_type": "image/jpeg", "size": len(content)}, token)
    assert declared.status_code == 201, declared.text
    link = declared.json()["upload"]
    posted = requests.post(link["url"], data=link["fields"], files={"file": ("upload.jpg", content, "image/jpeg")}, timeout=30)
    assert posted.status_code in (200, 204), posted.text


def what_is_there(stack: Stack, people: dict[str, str], case_ids: dict[str, str], data: Path) -> dict[str, Any]:
    """Everything the test made, counted and read back through the API (and the folder's kept objects)."""
    seen: dict[str, Any] = {}
    for who, token in people.items():
        listed = stack.call("GET", "/cases", token=token)
        assert listed.status_code == 200, listed.text  # the token of the first start still works
        seen[f"cases of {who}"] = sorted((c["case_id"], c["status"]) for c in listed.json()["cases"])
    for name, case_id in case_ids.items():
        case = stack.case(case_id, people["吴磊" if name == "waiting" else "李强"])
        seen[f"{name}: status, matters"] = (case["status"], [m["status"] for m in case["matters"]])
        seen[f"{name}: timeline"] = len(case["timeline"])
        if name == "waiting":
            seen["waiting: materials"] = sorted((m["kind"], m["status"]) for m in case["materials"])
            photo = next(m for m in case["materials"] if m["kind"] == "photo")
            seen["waiting: the photo's bytes"] = requests.get(photo["download_url"], timeout=30).content
    sent = stack.call("GET", "/dev/outbox").json()["sent"]
    seen["SMS and alerts sent"] = sorted(m["id"] for m in sent)
    activation = stack.call("POST", "/prejudge", {"matters": [{"code": "activate"}]}, people["李强"])
    seen["李强's card (pre-judging an activation)"] = json.dumps(activation.json(), ensure_ascii=False, sort_keys=True)
    seen["objects kept in the data folder"] = sorted(p.name for p in (data / "s3").rglob("data/*"))
    return seen


def reviewer(stack: Stack, district: str) -> str:
    return stack.token({"sub": f"hr-{district}-01", "roles": ["reviewer"], "district": district, "id_number": "341002196506150030"})


def waiting_for_review(stack: Stack, name: str) -> tuple[str, str]:
    """A citizen's apply case, its missing materials uploaded, submitted and waiting for its review; answers (case id, token)."""
    person = demo_resident(name)
    token = stack.token({"sub": person["id_number"], "name": name, "roles": ["citizen"]})
    case = new_case(stack, token, APPLY, person["phone"]).json()
    for material in case["materials"]:
        if material["status"] not in ("provided", "uploaded"):
            upload(stack, token, case["case_id"], material["kind"], jpeg())
    assert stack.call("POST", f"/cases/{case['case_id']}/submit", token=token).status_code == 202
    stack.wait_for(case["case_id"], token, awaiting_review)
    return case["case_id"], token


def test_a_stopped_stack_keeps_what_its_users_made_and_a_killed_one_leaves_no_case_without_a_run(tmp_path):
    data = tmp_path / "data"
    li, wu = demo_resident("李强"), demo_resident("吴磊")  # an issued card; no card and no shared documents
    stack = Stack(data, tmp_path / "first.log")
    try:
        people = {
            "李强": stack.token({"sub": li["id_number"], "name": li["name"], "roles": ["citizen"]}),
            "吴磊": stack.token({"sub": wu["id_number"], "name": wu["name"], "roles": ["citizen"]}),
        }
        draft = new_case(stack, people["李强"], [{"code": "status_query"}], li["phone"])
        assert draft.status_code == 201, draft.text
        once = new_case(stack, people["李强"], ADDRESS_CHANGE, li["phone"], key="k-1")
        assert once.status_code == 201, once.text
        activated = new_case(stack, people["李强"], [{"code": "activate"}], li["phone"]).json()["case_id"]
        assert stack.call("POST", f"/cases/{activated}/submit", token=people["李强"]).status_code == 202
        waiting = new_case(stack, people["吴磊"], APPLY, wu["phone"])
        waiting_id = waiting.json()["case_id"]
        for kind in ("id_card_front", "id_card_back", "photo"):
            upload(stack, people["吴磊"], waiting_id, kind, jpeg(41 + len(kind), 50))
        assert stack.call("POST", f"/cases/{waiting_id}/submit", token=people["吴磊"]).status_code == 202
        assert stack.wait_for(activated, people["李强"], lambda c: c["status"] in TERMINAL)["status"] == "completed"
        stack.wait_for(waiting_id, people["吴磊"], awaiting_review)
        case_ids = {"draft": draft.json()["case_id"], "idempotent create": once.json()["case_id"]}
        case_ids |= {"activated": activated, "waiting": waiting_id}
        before = what_is_there(stack, people, case_ids, data)
    finally:
        stack.stop()
    assert stack.children and not any(alive(pid) for pid in stack.children), "DynamoDB Local outlived the server"

    again = Stack(data, tmp_path / "second.log")
    try:
        after = what_is_there(again, people, case_ids, data)
        repeated = new_case(again, people["李强"], ADDRESS_CHANGE, li["phone"], key="k-1")
        # the kill's cases: one more waiting for its review, one about to be submitted (方淑珍: an issued card)
        still_waiting, hu = waiting_for_review(again, "胡国平")
        fang = demo_resident("方淑珍")
        fang_token = again.token({"sub": fang["id_number"], "name": fang["name"], "roles": ["citizen"]})
        submitted = new_case(again, fang_token, [{"code": "activate"}, {"code": "status_query"}], fang["phone"]).json()["case_id"]
        # the last moves, then the kill at once: a decision on its way through its (resumed) run, a run just started
        decided = again.call("POST", f"/reviews/{waiting_id}.apply/decision", {"decision": "approve"}, reviewer(again, "341003"))
        assert decided.status_code == 200, decided.text
        assert again.call("POST", f"/cases/{submitted}/submit", token=fang_token).status_code == 202
    finally:
        os.kill(again.process.pid, signal.SIGKILL)
        again.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in again.children):
        assert time.monotonic() < deadline, "DynamoDB Local outlived the killed server"
        time.sleep(0.2)

    third = Stack(data, tmp_path / "third.log")
    try:
        cases = {"submitted": (submitted, fang_token), "waiting for review": (still_waiting, hu), "decided": (waiting_id, people["吴磊"])}
        at_restart = {stage: third.case(case_id, token) for stage, (case_id, token) in cases.items()}
        # the scheduled reconciler's pass, as if its grace period were over for every case
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        tally = third.call("POST", "/dev/jobs/reconcile/run", {"time": later}).json()
        decision = third.call("POST", f"/reviews/{still_waiting}.apply/decision", {"decision": "approve"}, reviewer(third, "341023"))
        ended = {stage: third.wait_for(case_id, token, lambda c: c["status"] in TERMINAL) for stage, (case_id, token) in cases.items()}
    finally:
        third.stop()

    counts = {k: len(v) if isinstance(v, list | bytes) else v for k, v in before.items() if not k.startswith("李强's card")}
    print("\nbefore and after the stop and restart:", *(f"  {k}: {v}" for k, v in counts.items()), sep="\n")
    assert after == before
    assert len(before["cases of 李强"]) == 3 and len(before["cases of 吴磊"]) == 1
    assert "CARD_ALREADY_ACTIVE" in before["李强's card (pre-judging an activation)"]  # not seeded back to `issued`
    assert before["SMS and alerts sent"] and before["waiting: the photo's bytes"] == jpeg(46, 50)
    assert repeated.status_code == 201 and repeated.json()["case_id"] == case_ids["idempotent create"]

    # which runs the kill cut short: those the third start's reconciler started again (its log says)
    started_again = [line for line in (tmp_path / "third.log").read_text().splitlines() if "case run started by the reconciler" in line]
    resumed = {stage for stage, (case_id, _) in cases.items() if any(case_id in line for line in started_again)}
    print("after the kill and the restart:")
    for stage, case in at_restart.items():
        cut = "its run resumed at the restart" if stage in resumed else "finished before the kill"
        print(f"  {stage} ({cut}): {case['status']}, timeline {[e['kind'] for e in case['timeline']]} -> {ended[stage]['status']}")
    print(f"  reconciler pass after the restart: {tally}")
    # nothing to start, resume or fail: each case still listed has a running run (the waiting one at least), or has finished
    assert tally["started"] == tally["resumed"] == tally["failed"] == tally["errors"] == 0, tally
    assert tally["running"] >= 1, tally
    assert "waiting for review" in resumed
    assert decision.status_code == 200, decision.text
    # the first story's waiting case, decided after the stop, completes whatever the kill cut short
    assert {stage: case["status"] for stage, case in ended.items()} == dict.fromkeys(cases, "completed")
