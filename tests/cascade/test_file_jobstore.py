"""The in-process jobs' status shared by the processes of one server
(cascade.jobstore.FileJobStore): what one process records, another reads; a job
whose process is gone is failed; old jobs are dropped."""

from __future__ import annotations

import subprocess
import sys

from cascade.jobstore import GONE, TTL_SECONDS, FileJobStore, process_alive, process_token


def test_a_job_recorded_by_one_process_is_read_by_another(tmp_path):
    first, second = FileJobStore(tmp_path / "jobs.db"), FileJobStore(tmp_path / "jobs.db")
    first.update("j1", member="M1", state="queued", created_at="2026-12-01T10:00:00")
    second.update("j1", state="running", steps_done=1)  # read-modify-write, merged
    assert first.meta("j1") == {
        "id": "j1",
        "member": "M1",
        "state": "running",
        "steps_done": 1,
        "created_at": "2026-12-01T10:00:00",
    }
    assert second.meta("nothing") is None
    first.close()
    second.close()


def test_checkpoints_and_markers_stay_in_the_running_process(tmp_path):
    runner, other = FileJobStore(tmp_path / "jobs.db"), FileJobStore(tmp_path / "jobs.db")
    runner.put_step("j1", 1, {"tier": [1, 2]})
    assert runner.step("j1", 1) == {"tier": [1, 2]}
    assert runner.mark_once("j1", "saved") and not runner.mark_once("j1", "saved")
    assert other.mark_once("j1", "saved")  # its own process's markers


def test_a_job_whose_process_is_gone_is_failed(tmp_path):
    gone = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cascade.jobstore import process_token; print(process_token())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not process_alive(gone) and process_alive(process_token())
    jobs = FileJobStore(tmp_path / "jobs.db")
    jobs.update("dead", state="running", runner=gone)
    jobs.update("alive", state="running", runner=process_token())
    jobs.update("finished", state="done", runner=gone)
    assert (jobs.meta("dead")["state"], jobs.meta("dead")["error"]) == ("failed", GONE)
    assert jobs.meta("alive")["state"] == "running"
    assert jobs.meta("finished")["state"] == "done"
    assert {m["id"]: m["state"] for m in jobs.recent()}["dead"] == "failed"


def test_a_pid_given_to_another_process_is_not_the_runner(tmp_path):
    pid = process_token().partition(":")[0]
    assert not process_alive(f"{pid}:1")  # same pid, another start time


def test_jobs_not_updated_for_a_week_are_dropped_when_a_new_one_is_recorded(tmp_path):
    now = [1_000_000.0]
    jobs = FileJobStore(tmp_path / "jobs.db", clock=lambda: now[0])
    jobs.update("old", state="done")
    now[0] += 60
    jobs.update("newer", state="done")
    assert [m["id"] for m in jobs.recent()] == ["newer", "old"]
    now[0] += TTL_SECONDS
    jobs.update("newer", state="done", seen=True)  # an update keeps it
    jobs.update("new", state="queued")  # a new job drops what was not updated for the TTL
    assert [m["id"] for m in jobs.recent()] == ["new", "newer"]
