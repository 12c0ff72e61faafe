"""The insights dashboard (letture) of a process, and one across the processes of an
administration: each reading of boards/insights.py drawn as an accessible SVG chart
(boards/charts.py) with the table behind it, or shown as a table.

The filters (period, thematic table, kind of organisation) are a GET form: its query
parameters are the address of the reading, so a reading can be bookmarked and shared.
Who may read what is decided by boards/insights.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session, select

from app import i18n
from app.deps import SessionDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FormState, form_error
from app.pages.pledges import money
from app.pages.rendering import local_date, render
from boards import charts, insights, processes
from boards.access import require_whole_process
from boards.errors import InvalidInput
from boards.models import STAFF_ROLES, OrganizationKind, Process, ThematicTable

router = APIRouter(route_class=PageRoute)

PAGE = "insights.html"
FILTERS = ("since", "until", "table", "kind")
# A step chart stays readable with this many lines; more partners are added up as "others".
STEP_LINES = 6
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Figure:
    """A reading drawn as a chart, with the table behind it."""

    id: str
    title: str
    svg: Markup
    table: Markup
    empty: bool


@dataclass(frozen=True)
class Grid:
    """A reading that is a table only."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]


def _headers() -> dict[str, str]:
    """What the rows of each reading are, the first column of its table."""
    return {
        "by_line": _("Line of work"), "by_question": _("Guiding question"), "by_kind": _("Kind of organisation"),
        "over_time": _("Period"), "presence": _("Meeting"), "pledges_by_partner": _("Organisation"),
        "pledges_over_time": _("Month"), "actions_by_owner": _("Owner"), "actions_by_due": _("Due date"),
    }


def _units() -> dict[str, str]:
    return {"contributions": _("Contributions"), "organisations": _("Organisations"), "eur": _("Value (€)"),
            "actions": _("Actions")}


# Readings whose bars do not add up to anything: a contribution may be in several lines of
# work, and a body present at several meetings.
NO_TOTAL = {"by_line", "presence"}


def _figure(chart: charts.Chart, id: str) -> Figure:
    return Figure(id=id, title=chart.title, svg=Markup(charts.svg(chart, id=id)),
                  table=Markup(charts.table(chart, id=f"{id}-table")), empty=chart.empty)


def _bars(reading: insights.Series, lang: str) -> Figure:
    chart = charts.Chart(
        kind=charts.BAR, title=reading.title, header=_headers()[reading.key],
        rows=tuple(count.label for count in reading.counts),
        columns=(charts.Column(_units()[reading.unit], tuple(count.value for count in reading.counts)),),
        decimals=2 if reading.unit == "eur" else 0, lang=lang, total=reading.key not in NO_TOTAL)
    return _figure(chart, reading.key.replace("_", "-"))


def _steps(reading: insights.SeriesGroup, lang: str) -> Figure:
    """One line per partner, the largest first; beyond STEP_LINES the rest as one line."""
    lines = list(reading.series)
    if len(lines) > STEP_LINES:
        rest = lines[STEP_LINES - 1:]
        others = [sum((line.counts[i].value for line in rest), Decimal("0.00")) for i in range(len(rest[0].counts))]
        columns = [charts.Column(line.title, tuple(c.value for c in line.counts)) for line in lines[:STEP_LINES - 1]]
        columns.append(charts.Column(_("Other {count} organisations", count=len(rest)), tuple(others)))
    else:
        columns = [charts.Column(line.title, tuple(c.value for c in line.counts)) for line in lines]
    months = tuple(_month(count.key) for count in lines[0].counts) if lines else ()
    if not columns:
        columns = [charts.Column(_units()["eur"], ())]
    chart = charts.Chart(kind=charts.STEP, title=reading.title, header=_headers()[reading.key], rows=months,
                         columns=tuple(columns), decimals=2, lang=lang)
    return _figure(chart, reading.key.replace("_", "-"))


def _month(key: str) -> str:
    """"2026-03" as the page's language writes a month: 03/2026 or 2026-03."""
    return f"{key[5:]}/{key[:4]}" if i18n.current_language.get() == "it" else key


def _by_period_and_kind(dashboard: insights.Dashboard, lang: str) -> Figure:
    """Contributions in each meeting and between meetings, stacked by kind of organisation."""
    periods = dashboard.over_time.counts
    chart = charts.Chart(
        kind=charts.STACKED, title=_("Contributions in meetings and between them, by kind of organisation"),
        header=_headers()["over_time"], rows=tuple(count.label for count in periods),
        columns=tuple(charts.Column(series.title, tuple(count.value for count in series.counts))
                      for series in dashboard.over_time_by_kind.series),
        lang=lang, total=True)
    return _figure(chart, "over-time-by-kind")


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, int):
        return charts.format_number(value, i18n.current_language.get())
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return local_date(value, "short")
    return str(value)


def _grid(reading: insights.Table) -> Grid:
    rows = [[_cell(value) for value in row] for row in reading.rows]
    numeric = [bool(reading.rows) and all(isinstance(row[i], int | Decimal) for row in reading.rows)
               for i in range(len(reading.columns))]
    return Grid(id=reading.key.replace("_", "-"), title=reading.title, columns=reading.columns, rows=rows,
                numeric=numeric)


def sections(dashboard: insights.Dashboard) -> list[tuple[str, str, list[Figure | Grid]]]:
    """The dashboard's readings grouped as the page shows them: (id, heading, readings)."""
    lang = dashboard.lang
    # Stacked by kind unless the filter keeps one kind.
    over_time = (_by_period_and_kind(dashboard, lang) if dashboard.filters.organization_kind is None
                 else _bars(dashboard.over_time, lang))
    return [
        ("contributions", _("Contributions"), [
            _bars(dashboard.by_kind, lang), over_time, _bars(dashboard.by_line, lang),
            _bars(dashboard.by_question, lang)]),
        ("participation", _("Participation"), [
            _bars(dashboard.presence, lang), _grid(dashboard.participation), _grid(dashboard.silent)]),
        ("pledges", _("Resource pledges"), [
            _bars(dashboard.pledges_by_partner, lang), _steps(dashboard.pledges_over_time, lang)]),
        ("actions", _("Open actions"), [
            _bars(dashboard.actions_by_due, lang), _bars(dashboard.actions_by_owner, lang),
            _grid(dashboard.open_actions)]),
    ]


def _values(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in FILTERS}


def _table_choices(session: Session, process_list: list[Process]) -> list[tuple[str, str]]:
    titles = {p.id: p.title for p in process_list}
    tables = session.exec(select(ThematicTable).where(ThematicTable.process_id.in_(list(titles)))
                          .order_by(ThematicTable.process_id, ThematicTable.id)).all()
    several = len(process_list) > 1
    return [(str(t.id), f"{titles[t.process_id]}: {t.title}" if several else t.title) for t in tables]


def _kind_choices() -> list[tuple[str, str]]:
    # The charts' names for the kinds, so that the filter and the legend say the same.
    lang = i18n.current_language.get()
    return [(kind.value, insights.kind_label(kind, lang)) for kind in OrganizationKind]


def _page(request: Request, session: Session, *, make, process_list: list[Process], base: str,
          fixed: dict[str, str], **context: object) -> Response:
    """The dashboard page, or the form with what is wrong in the filters (400)."""
    values = _values(request)
    form = FormState("filters", values=values)
    dashboard, found, status = None, [], 200
    try:
        filters = insights.parse_filters(values)
        dashboard = make(filters)
        found = sections(dashboard)
    except InvalidInput as error:
        session.rollback()
        form = form_error("filters", values, error, {})
        status = status_of(error)
    query = {**fixed, **(dashboard.filters.query() if dashboard else {})}
    return render(
        request, PAGE, status=status, dashboard=dashboard, sections=found, form=form,
        table_choices=_table_choices(session, process_list), kind_choices=_kind_choices(),
        base=base, fixed=fixed, link=f"{base}?{urlencode(query)}" if query else base,
        filtered=bool(dashboard and dashboard.filters.query()), **context)


@router.get("/processes/{process_id}/insights")
def process_insights(process_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The readings of a process, filtered by the query parameters."""
    process = processes.get_process(session, process_id)
    person = require_whole_process(session, actor, process.id)
    lang = i18n.current_language.get()

    def make(filters: insights.Filters) -> insights.Dashboard:
        return insights.process_dashboard(session, actor=actor, process_id=process.id, filters=filters, lang=lang)

    return _page(request, session, make=make, process_list=[process], base=f"/processes/{process.id}/insights",
                 fixed={}, process=process, administration=None, staff=person.role in STAFF_ROLES,
                 downloads=downloads(f"/api/v1/processes/{process.id}/opendata", {}))


@router.get("/insights")
def administration_insights(request: Request, actor: PageActor, session: SessionDep,
                            administration: str = "") -> Response:
    """The readings across the processes of an administration (staff); without one, the
    administrations to choose from."""
    name = " ".join(administration.split())
    if not name:
        return render(request, "insights_choose.html", administrations=administrations(session, actor))
    process_list = insights.administration_processes(session, actor=actor, administration=name)
    lang = i18n.current_language.get()

    def make(filters: insights.Filters) -> insights.Dashboard:
        return insights.administration_dashboard(session, actor=actor, administration=name, filters=filters,
                                                 lang=lang)

    return _page(request, session, make=make, process_list=process_list, base="/insights",
                 fixed={"administration": name}, process=None, administration=name, staff=True,
                 processes=process_list, downloads=downloads("/api/v1/administrations/opendata", {"administration": name}))


def downloads(path: str, fixed: dict[str, str]) -> list[tuple[str, str]]:
    """The open data files (app/api/insights.py) as (address, label)."""
    files = [({"format": "csv"}, _("Every table as CSV (zip)")), ({"format": "json"}, _("Every table as JSON")),
             ({"format": "csv", "file": "dictionary"}, _("Data dictionary (CSV)"))]
    return [(f"{path}?{urlencode({**fixed, **params})}", label) for params, label in files]


def administrations(session: Session, actor) -> list[str]:
    """The administrations of the processes the actor's account is staff of, by name."""
    if actor.account is None:
        return []
    found = {" ".join(p.administration.split()) for p in processes.list_processes(session, actor=actor)}
    return sorted((name for name in found if name), key=str.casefold)
