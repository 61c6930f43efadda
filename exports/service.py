"""The export service functions the API calls: start one of the member's exports,
and hand its finished file to the same member's people. A job of another member,
an unknown id and any principal without a member's view (supplier, operator) get
the same NOT_FOUND; a file past its time to live is deleted and NOT_FOUND too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from access.errors import NotFound, ServiceError
from access.principal import Principal
from exports import jobs as export_jobs
from exports.formats import MEDIA_TYPE, ExportFormat, file_name
from exports.run import KIND, file_of, new_export_job
from exports.status import EXPIRED, as_seen
from graph.store import GraphStore
from risk.service import check_settings
from views.member import MEMBER_ROLES, member_view


class NotReady(ServiceError):
    """The member's own export, not finished (or failed): nothing to download yet."""

    code = "NOT_READY"


def start_export(
    *, principal: Principal, store: GraphStore, format: ExportFormat, as_of: date | None = None
) -> dict[str, Any]:
    """Sourcing and analyst keys: export the member's network on a day (default
    today) as a job; follow it with job(id), download it from /exports/{id}."""
    view = member_view(principal=principal, store=store)  # FORBIDDEN for other roles
    check_settings()  # a risk setting that cannot be used: BAD_SETTING now, not a failed job
    place = export_jobs.place_for(store)
    place.sweep()
    jobs = export_jobs.job_store(store)
    day = as_of or date.today()
    job = new_export_job(jobs, view.member, format, day, view.required(store))
    export_jobs.start(store, job)
    meta = jobs.meta(job)
    assert meta is not None
    return meta


@dataclass(frozen=True)
class Download:
    path: Path
    file_name: str
    media_type: str


def export_download(*, principal: Principal, store: GraphStore, id: str) -> Download:
    """The finished file of one of the member's exports."""
    missing = NotFound("export", id)
    if principal.role not in MEMBER_ROLES:
        raise missing  # a supplier or an operator: as if there were no such export
    jobs = export_jobs.job_store(store)
    found = jobs.meta(id)
    if found is None or found.get("kind") != KIND or found.get("member") != principal.member:
        raise missing
    meta = as_seen(found)
    place = export_jobs.place_for(store)
    path = file_of(place.folder, id, meta["format"])
    if meta["state"] == EXPIRED:
        path.unlink(missing_ok=True)
        raise missing
    if meta["state"] != "done":
        raise NotReady(f"export {id!r} is {meta['state']}: download it once job(id) says done")
    if not path.is_file():
        raise missing
    fmt = ExportFormat(meta["format"])
    return Download(path, file_name(meta["member"], meta["as_of"], fmt), MEDIA_TYPE[fmt])
