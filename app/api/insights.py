"""Insights and open data (extensions, see docs/api.md "Insights and open data"): the
dashboard's readings of a process or an administration, the anonymised open-data files, and
marking a contribution publishable."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, StrictBool

from app.deps import CurrentActor, SessionDep
from boards import insights, opendata
from boards.access import Actor
from boards.errors import InvalidInput

router = APIRouter(tags=["insights"])

Lang = Literal["it", "en"]
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "zip": "application/zip"}


class Publishable(BaseModel):
    publishable: StrictBool


def _lang(actor: Actor, lang: Lang | None) -> str:
    return lang or actor.lang or "it"


@router.get("/processes/{process_id}/insights")
def process_insights(process_id: int, request: Request, actor: CurrentActor, session: SessionDep,
                     since: str = "", until: str = "", table: str = "", kind: str = "",
                     lang: Lang | None = None) -> dict:
    """The dashboard's readings of a process, filtered (members of the whole process)."""
    filters = insights.parse_filters(request.query_params)
    return insights.process_dashboard(session, actor=actor, process_id=process_id, filters=filters,
                                      lang=_lang(actor, lang)).view()


@router.get("/administrations/insights")
def administration_insights(request: Request, actor: CurrentActor, session: SessionDep, administration: str = "",
                            since: str = "", until: str = "", table: str = "", kind: str = "",
                            lang: Lang | None = None) -> dict:
    """The readings across an administration's processes the caller is staff of."""
    filters = insights.parse_filters(request.query_params)
    return insights.administration_dashboard(session, actor=actor, administration=administration, filters=filters,
                                             lang=_lang(actor, lang)).view()


def _threshold(value: str) -> int:
    value = value.strip()
    if not value.isdigit():
        raise InvalidInput("'threshold' must be a whole number from {low} to {high}",
                           low=opendata.MIN_THRESHOLD, high=opendata.MAX_THRESHOLD)
    return opendata.check_threshold(int(value))


def _answer(data: opendata.OpenData, name: str, format: str, file: str | None) -> Response:
    """One file, or every file: a zip of CSVs or one JSON document."""
    if format not in ("csv", "json"):
        raise InvalidInput("'format' must be csv or json")
    if file:
        data.file(file)
        content = data.files[file].csv() if format == "csv" else data.json_bytes(file)
        filename, media = f"{name}-{file}.{format}", MEDIA[format]
    elif format == "csv":
        content, filename, media = data.zip_bytes(), f"{name}.zip", MEDIA["zip"]
    else:
        content, filename, media = data.json_bytes(), f"{name}.json", MEDIA["json"]
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             # Built from the live record: never serve yesterday's from a cache.
                             "Cache-Control": "no-store"})


@router.get("/processes/{process_id}/opendata")
def process_open_data(process_id: int, actor: CurrentActor, session: SessionDep, format: str = "csv",
                      file: str | None = None, threshold: str = str(opendata.DEFAULT_THRESHOLD)) -> Response:
    """The process's anonymised open data: a zip of CSVs, one JSON, or one file (staff)."""
    data = opendata.process_open_data(session, actor=actor, process_id=process_id, threshold=_threshold(threshold))
    return _answer(data, f"dati-aperti-{process_id}", format, file)


@router.get("/administrations/opendata")
def administration_open_data(actor: CurrentActor, session: SessionDep, administration: str = "",
                             format: str = "csv", file: str | None = None,
                             threshold: str = str(opendata.DEFAULT_THRESHOLD)) -> Response:
    """The open data of every process of an administration the caller is staff of."""
    data = opendata.administration_open_data(session, actor=actor, administration=administration,
                                             threshold=_threshold(threshold))
    return _answer(data, "dati-aperti", format, file)


@router.put("/items/{item_id}/publishable")
def mark_publishable(item_id: int, body: Publishable, actor: CurrentActor, session: SessionDep) -> dict:
    """Mark a contribution's text publishable in open data, or take the mark back (facilitators)."""
    item = opendata.mark_publishable(session, actor=actor, item_id=item_id, publishable=body.publishable)
    session.commit()
    return opendata.item_publishable_view(item)
