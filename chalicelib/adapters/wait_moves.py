"""How a department wait moves, for both case stores alike: each move is one conditional update of the
wait (`_update_wait`, the store's own), with the lists and dated work it joins or leaves named here."""

from __future__ import annotations

from chalicelib.adapters import case_keys


class WaitMoves:
    """Mixed into DynamoCaseStore and InMemoryCaseStore, which provide `get_wait` and `_update_wait`."""

    def get_wait(self, case_id: str, code: str) -> dict | None:
        raise NotImplementedError

    def _update_wait(
        self,
        case_id: str,
        code: str,
        expected_status: str | tuple[str, ...],
        changes: dict,
        *,
        listed_for: str | None = None,
        due_key: str | None = None,
        unlist: bool = False,
        undue: bool = False,
        due_at: str | None = None,
    ) -> dict:
        """One conditional update of the wait on its status; ConcurrentUpdate if the status moved on."""
        raise NotImplementedError

    def update_wait(self, case_id: str, code: str, *, expected_status: str | tuple[str, ...], changes: dict) -> dict:
        return self._update_wait(case_id, code, expected_status, changes)

    def decide_wait(self, case_id: str, code: str, changes: dict, *, decided_at: str, department: str, district: str | None) -> dict:
        """Off the pending reviews onto the decided ones (or off every work list) and onto the resumes to send."""
        decided_list = case_keys.decided_reviews(department, district) if district is not None else None
        return self._update_wait(
            case_id,
            code,
            "pending",
            changes,
            listed_for=decided_list,
            unlist=decided_list is None,
            due_key=case_keys.RESUMES,
            due_at=decided_at,
        )

    def settle_resume(self, case_id: str, code: str, changes: dict) -> dict:
        return self._update_wait(case_id, code, "decided", changes, undue=True)

    def rearm_wait(self, case_id: str, code: str, task_token: str, at: str, run: int = 0) -> dict | None:
        """A new run of the case waits on this matter with `task_token`: a pending wait takes the token; a
        decided one takes it too and goes back on the resumes to send (at `at`), so that the decision
        reaches the new run; the wait records the run (`run`) whose token it holds. None if the wait is
        neither (ended, or not there)."""
        from chalicelib.adapters.dynamo_cases import ConcurrentUpdate  # where the stores' errors live (imports this module)

        wait = self.get_wait(case_id, code)
        try:
            if wait is not None and wait["status"] == "pending":
                return self._update_wait(case_id, code, "pending", {"task_token": task_token, "run": run})
            if wait is not None and wait["status"] == "decided":
                changes = {"task_token": task_token, "resume": "pending", "run": run}
                return self._update_wait(case_id, code, "decided", changes, due_key=case_keys.RESUMES, due_at=at)
        except ConcurrentUpdate:
            pass
        return None

    def end_wait(self, case_id: str, code: str, *, expected_status: str | tuple[str, ...], changes: dict) -> dict:
        return self._update_wait(case_id, code, expected_status, changes, unlist=True, undue=True)
