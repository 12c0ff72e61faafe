"""What the pages call the domain's code values, translated when shown.

Each label is a literal msgid (so that extraction finds it) looked up at render time, in the
language of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from app.i18n import gettext as _

# Tavolo serves Italian administrations: times are entered and shown in Italian time.
TIMEZONE = ZoneInfo("Europe/Rome")

_LABELS: dict[str, Callable[[], dict[str, str]]] = {
    "process_kind": lambda: {
        "co-design": _("Co-design"),
        "co-programming": _("Co-programming"),
    },
    "organization_kind": lambda: {
        "public": _("Public administration"),
        "health": _("Health authority"),
        "third_sector": _("Third Sector body"),
        "other": _("Other organisation"),
    },
    "organization_group": lambda: {
        "public": _("Public administrations"),
        "health": _("Health authorities"),
        "third_sector": _("Third Sector bodies"),
        "other": _("Other organisations"),
    },
    "role": lambda: {
        "facilitator": _("Facilitator"),
        "secretary": _("Secretary (minute-taker)"),
        "participant": _("Participant"),
        "observer": _("Observer"),
    },
    "meeting_mode": lambda: {
        "online": _("Online"),
        "in_person": _("In person"),
        "hybrid": _("Hybrid (in person and online)"),
    },
    "meeting_state": lambda: {
        "scheduled": _("Scheduled"),
        "live": _("In progress"),
        "ended": _("Ended"),
    },
    "audit_action": lambda: {
        "process.create": _("Process created"),
        "staff.add": _("Staff member added"),
        "organization.add": _("Organisation added"),
        "organization.update": _("Organisation changed"),
        "table.add": _("Thematic table added"),
        "steering.add": _("Steering committee member added"),
        "meeting.create": _("Meeting scheduled"),
        "meeting.update": _("Meeting changed"),
        "invite.create": _("Invite created"),
        "invite.renew": _("Invite link renewed"),
        "invite.revoke": _("Invite revoked"),
        "code.set": _("Meeting code created"),
        "code.disable": _("Meeting code disabled"),
        "join.invite": _("Joined with an invite"),
        "join.code": _("Joined with a meeting code"),
        "attendance.correct": _("Attendance corrected"),
        "attendance.organization": _("Attendance of an organisation corrected"),
        "attendance.add": _("Person present in the room added"),
        "meeting.roles": _("Chair and minute-taker chosen"),
        "meeting.recording": _("Recording link changed"),
        "recording.consent": _("Consent to recording answered"),
        "document.add": _("Document attached to a meeting"),
        "document.remove": _("Document removed from a meeting"),
        "pledge.create": _("Resource pledge entered"),
        "pledge.update": _("Resource pledge changed"),
        "pledge.withdraw": _("Resource pledge withdrawn"),
        "pledge.confirm": _("Resource pledge confirmed"),
        "pledge.reopen": _("Resource pledge reopened"),
        "statement.add": _("Synthesis statement added"),
        "statement.update": _("Synthesis statement changed"),
        "statement.move": _("Synthesis statement moved"),
        "statement.remove": _("Synthesis statement removed"),
        "line.describe": _("Line of work described"),
        "synthesis.approve": _("Synthesis document approved"),
        "synthesis.publish": _("Synthesis document published"),
        "reflection.open": _("Question opened for reflection between meetings"),
        "reflection.close": _("Question for reflection closed"),
    },
    "pledge_kind": lambda: {
        "money": _("Money"),
        "staff_hours": _("Staff hours"),
        "spaces": _("Spaces"),
        "volunteers": _("Volunteers"),
        "goods": _("Goods"),
    },
    "form:pledge": lambda: {
        "organization": _("Organisation"),
        "kind": _("Kind of resource"),
        "description": _("Description"),
        "quantity": _("Quantity"),
        "unit": _("Unit"),
        "value_eur": _("Value in euro"),
    },
    "form:statement": lambda: {
        "text": _("Statement"),
        "sources": _("Source contributions"),
    },
    # Field labels of the forms, by form; also used to name the field a domain error is about.
    "form:process": lambda: {
        "title": _("Title"),
        "kind": _("Kind of process"),
        "description": _("Description"),
        "administration": _("Administration in charge"),
        "procedure_ref": _("Procedure reference"),
        "rup_name": _("Responsible official (RUP)"),
    },
    "form:organization": lambda: {
        "name": _("Name of the organisation"),
        "kind": _("Kind of organisation"),
        "ats_lead": _("Lead partner (capofila) of the ATS"),
    },
    "form:table": lambda: {
        "title": _("Title of the thematic table"),
        "description": _("Description"),
    },
    "form:steering": lambda: {
        "name": _("Name"),
        "position": _("Position"),
        "organization": _("Organisation"),
        "started_on": _("Member from"),
        "ended_on": _("Member until"),
    },
    "form:staff": lambda: {
        "email": _("Email of the account"),
        "role": _("Role in the process"),
    },
    "form:meeting": lambda: {
        "title": _("Title of the meeting"),
        "starts_at": _("Date and start time"),
        "mode": _("Mode"),
        "location": _("Place or video-call link"),
        "agenda": _("Agenda"),
        "thematic_table": _("Thematic table"),
    },
    "form:invite": lambda: {
        "name": _("Name and surname"),
        "organization": _("Organisation"),
        "role": _("Role"),
        "email": _("Email"),
        "scope": _("Meetings"),
    },
    "form:code_join": lambda: {
        "name": _("Your name and surname"),
        "organization": _("Organisation you represent"),
        "organization_name": _("Or write the name of your organisation"),
    },
}


def names(family: str) -> dict[str, str]:
    """All labels of a family, by code value (a form's field labels, for instance)."""
    return _LABELS[family]()


def label(family: str, value: object) -> str:
    """The translated name of a code value; the value itself when it has none yet."""
    key = getattr(value, "value", value)
    return _LABELS[family]().get(key, str(key))


def choices(family: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or radio group, in their usual order."""
    return list(_LABELS[family]().items())
