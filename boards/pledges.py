"""Resource pledges (impegni di risorse): what each body commits to the project — money,
staff hours, spaces, volunteers, goods — with a quantity, a unit and a value in euro.

A partner's participant enters the pledges of their own organisation; staff may enter any.
The author edits or withdraws a pledge until a facilitator of the process confirms it; a
facilitator may reopen a confirmed pledge for correction. Every change is audited.

Totals are exact (`Decimal`, cents): per kind, per organisation, the grand total, and the
public side's share (bodies of kind public and health) against the partners' (third sector
and other), as percentages — Crema's 78% / 22%. Only confirmed pledges count; pending ones
are listed apart. See docs/api.md ("Resource pledges").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_member, require_staff, require_whole_process
from boards.clock import utcnow
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.ids import fetch
from boards.models import (
    STAFF_ROLES,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    PledgeKind,
    ResourcePledge,
)
from boards.processes import organization_of_process
from boards.text import clean_text

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The euro value of one pledge: a whole Piano di Zona is a few million euro, so a hundred
# million is a typing mistake, not a pledge.
VALUE_LIMIT = Decimal("100000000.00")
# A quantity (hours, square metres, people, pieces): well inside Numeric(14, 2).
QUANTITY_LIMIT = Decimal("1000000000.00")
# "ore", "m²", "volontari", "pasti/settimana": a short label.
UNIT_LIMIT = 40

# The public side of the project (the administration keeps the final say) and the partners.
PUBLIC_KINDS = frozenset({OrganizationKind.public, OrganizationKind.health})
PARTNER_KINDS = frozenset({OrganizationKind.third_sector, OrganizationKind.other})

FIELDS = ("kind", "description", "quantity", "unit", "value_eur")


def amount(value: object, *, field_name: str, limit: Decimal) -> Decimal:
    """A non-negative amount with at most two decimals, up to `limit`, as an exact Decimal.

    Accepts Decimal, int and decimal strings ("1234.50", "1234,50"); a float is refused,
    since binary floats cannot hold cents exactly. Raises InvalidInput.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidInput("The field '{field}' must be a decimal number written as text, such as 1234.50",
                           field=field_name)
    if isinstance(value, str):
        value = value.strip().replace(" ", "")
        if "," in value and "." not in value:
            value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput("The field '{field}' must be a number, such as 1234.50", field=field_name) from None
    if not number.is_finite():
        raise InvalidInput("The field '{field}' must be a number, such as 1234.50", field=field_name)
    if number < 0:
        raise InvalidInput("The field '{field}' must not be negative", field=field_name)
    if number > limit:
        raise InvalidInput("The field '{field}' must not exceed {limit}", field=field_name, limit=limit)
    if number != number.quantize(CENT):
        raise InvalidInput("The field '{field}' has more than two decimals", field=field_name)
    # abs: "-0" is zero, not a "-0.00" on the page and in the totals.
    return abs(number.quantize(CENT))


def _kind(value: object) -> PledgeKind:
    try:
        return PledgeKind(value)
    except ValueError:
        raise InvalidInput("'kind' must be one of: {values}",
                           values=", ".join(k.value for k in PledgeKind)) from None


def _clean(fields: dict) -> dict:
    """The typed fields of a pledge, checked and normalised. Raises InvalidInput."""
    cleaned: dict[str, object] = {}
    if "kind" in fields:
        cleaned["kind"] = _kind(fields["kind"])
    if "description" in fields:
        cleaned["description"] = clean_text(fields["description"], field="description")
    if "quantity" in fields:
        cleaned["quantity"] = amount(fields["quantity"], field_name="quantity", limit=QUANTITY_LIMIT)
    if "unit" in fields:
        cleaned["unit"] = " ".join(clean_text(fields["unit"], field="unit", limit=UNIT_LIMIT).split())
    if "value_eur" in fields:
        cleaned["value_eur"] = amount(fields["value_eur"], field_name="value_eur", limit=VALUE_LIMIT)
    return cleaned


def _may_pledge_for(person: Person, organization: Organization) -> bool:
    """Staff for any body; a participant (representative) for their own organisation only."""
    if person.role in STAFF_ROLES:
        return True
    return person.role == PersonRole.participant and person.organization_id == organization.id


def get_pledge(session: Session, pledge_id: int) -> ResourcePledge:
    pledge = fetch(session, ResourcePledge, pledge_id)
    if pledge is None:
        raise NotFound("Pledge {id} does not exist", id=pledge_id)
    return pledge


def _changes(pledge: ResourcePledge) -> dict:
    return {"organization": pledge.organization_id, "kind": pledge.kind.value,
            "quantity": str(pledge.quantity), "unit": pledge.unit, "value_eur": str(pledge.value_eur)}


def create_pledge(session: Session, *, actor: Actor, process_id: int, organization_id: int,
                  kind: PledgeKind | str, description: str, quantity: object, unit: str,
                  value_eur: object) -> ResourcePledge:
    """A new, unconfirmed pledge of `organization_id`.

    Raises NotAllowed (not a member; a participant pledging for another body; an observer),
    InvalidInput.
    """
    person = require_whole_process(session, actor, process_id)
    organization = organization_of_process(session, process_id, organization_id)
    if not _may_pledge_for(person, organization):
        raise NotAllowed("You may enter pledges only for your own organisation")
    cleaned = _clean({"kind": kind, "description": description, "quantity": quantity, "unit": unit,
                      "value_eur": value_eur})
    pledge = ResourcePledge(process_id=process_id, organization_id=organization.id, entered_by=person.id,
                            **cleaned)
    session.add(pledge)
    session.flush()
    audit.record(session, actor=actor, action="pledge.create", process_id=process_id,
                 target=f"pledge:{pledge.id}", **_changes(pledge))
    return pledge


def _editable_by_author(session: Session, actor: Actor, pledge: ResourcePledge) -> Person:
    person = require_member(session, actor, pledge.process_id)
    if pledge.entered_by != person.id:
        raise NotAllowed("Only the person who entered a pledge may change or withdraw it")
    if pledge.confirmed_at is not None:
        raise Conflict("This pledge has been confirmed: ask a facilitator to reopen it first")
    return person


def check_may_edit(session: Session, *, actor: Actor, pledge_id: int) -> ResourcePledge:
    """The pledge, if `actor` may change it now (its author, unconfirmed): for its form.

    Raises NotFound, NotAllowed, Conflict (confirmed).
    """
    pledge = get_pledge(session, pledge_id)
    _editable_by_author(session, actor, pledge)
    return pledge


def update_pledge(session: Session, *, actor: Actor, pledge_id: int, **fields: object) -> ResourcePledge:
    """Change some of `kind`, `description`, `quantity`, `unit`, `value_eur` of an
    unconfirmed pledge (its author only).

    Raises NotFound, NotAllowed, Conflict (confirmed), InvalidInput.
    """
    pledge = get_pledge(session, pledge_id)
    _editable_by_author(session, actor, pledge)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise InvalidInput("Unknown fields: {fields}", fields=", ".join(sorted(unknown)))
    given = {name: value for name, value in fields.items() if value is not None}
    if not given:
        raise InvalidInput("Change at least one of: {fields}", fields=", ".join(FIELDS))
    for name, value in _clean(given).items():
        setattr(pledge, name, value)
    session.add(pledge)
    session.flush()
    audit.record(session, actor=actor, action="pledge.update", process_id=pledge.process_id,
                 target=f"pledge:{pledge.id}", **_changes(pledge))
    return pledge


def withdraw_pledge(session: Session, *, actor: Actor, pledge_id: int) -> None:
    """Remove an unconfirmed pledge (its author only); the audit entry keeps what it was.

    Raises NotFound, NotAllowed, Conflict (confirmed).
    """
    pledge = get_pledge(session, pledge_id)
    _editable_by_author(session, actor, pledge)
    audit.record(session, actor=actor, action="pledge.withdraw", process_id=pledge.process_id,
                 target=f"pledge:{pledge.id}", **_changes(pledge))
    session.delete(pledge)
    session.flush()


def confirm_pledge(session: Session, *, actor: Actor, pledge_id: int, confirmed: bool = True) -> ResourcePledge:
    """A facilitator of the process confirms a pledge (it then counts in the totals and can
    no longer be changed), or reopens a confirmed one with `confirmed=False`.

    Raises NotFound, NotAllowed (not a facilitator of the process), Conflict (already so).
    """
    pledge = get_pledge(session, pledge_id)
    person = require_staff(session, actor, pledge.process_id, roles={PersonRole.facilitator})
    if confirmed == (pledge.confirmed_at is not None):
        if confirmed:
            raise Conflict("This pledge is already confirmed")
        raise Conflict("This pledge is not confirmed")
    pledge.confirmed_by = person.id if confirmed else None
    pledge.confirmed_at = utcnow() if confirmed else None
    session.add(pledge)
    session.flush()
    audit.record(session, actor=actor, action="pledge.confirm" if confirmed else "pledge.reopen",
                 process_id=pledge.process_id, target=f"pledge:{pledge.id}", **_changes(pledge))
    return pledge


def pledges_of(session: Session, process_id: int) -> list[ResourcePledge]:
    """Every pledge of the process, by organisation then in the order entered."""
    return list(session.exec(
        select(ResourcePledge).where(ResourcePledge.process_id == process_id)
        .order_by(ResourcePledge.organization_id, ResourcePledge.id)
    ))


def list_pledges(session: Session, *, actor: Actor, process_id: int) -> list[ResourcePledge]:
    """The pledges of the process, for those who take part in all of it: the resources are
    pooled in the open. Raises NotAllowed."""
    require_whole_process(session, actor, process_id)
    return pledges_of(session, process_id)


def share(part: Decimal, total: Decimal) -> Decimal:
    """`part` as a percentage of `total`, rounded half-even to two decimals."""
    with localcontext() as context:
        context.prec = 50
        return (part * HUNDRED / total).quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass
class Totals:
    """Confirmed pledges summed up; percentages have two decimals and sum to 100.00."""

    by_kind: dict[PledgeKind, Decimal]
    # (organisation, its confirmed total), in the order of the organisations' names.
    by_organization: list[tuple[Organization, Decimal]]
    total: Decimal
    public: Decimal
    partners: Decimal
    # None while nothing is confirmed (no share of zero).
    public_share: Decimal | None
    partners_share: Decimal | None
    pending: list[ResourcePledge] = field(default_factory=list)

    def view(self) -> dict:
        def money(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "by_kind": {kind.value: money(value) for kind, value in self.by_kind.items()},
            "by_organization": [{"organization": o.id, "name": o.name, "kind": o.kind.value, "value_eur": money(v)}
                                for o, v in self.by_organization],
            "total": money(self.total),
            "public": money(self.public),
            "partners": money(self.partners),
            "public_share": money(self.public_share),
            "partners_share": money(self.partners_share),
            "pending": len(self.pending),
        }


def totals(session: Session, process_id: int) -> Totals:
    """The confirmed pledges of the process summed per kind, per organisation, in all, and
    split between the public side and the partners.

    The public share is rounded half-even to the cent of a percent, and the partners' share
    is 100.00 minus it, so that the two always sum to exactly 100.00.
    """
    organizations = {o.id: o for o in session.exec(
        select(Organization).where(Organization.process_id == process_id).order_by(Organization.name))}
    by_kind = {kind: Decimal("0.00") for kind in PledgeKind}
    by_organization: dict[int, Decimal] = {}
    pending = []
    for pledge in pledges_of(session, process_id):
        if pledge.confirmed_at is None:
            pending.append(pledge)
            continue
        value = Decimal(pledge.value_eur).quantize(CENT)
        by_kind[pledge.kind] += value
        by_organization[pledge.organization_id] = by_organization.get(pledge.organization_id, Decimal("0.00")) + value
    total = sum(by_kind.values(), Decimal("0.00"))
    public = sum((v for o, v in by_organization.items() if organizations[o].kind in PUBLIC_KINDS), Decimal("0.00"))
    partners = total - public
    public_share = share(public, total) if total else None
    return Totals(
        by_kind=by_kind,
        by_organization=[(o, by_organization[o.id]) for o in organizations.values() if o.id in by_organization],
        total=total, public=public, partners=partners,
        public_share=public_share,
        partners_share=HUNDRED - public_share if public_share is not None else None,
        pending=pending,
    )


def pledge_view(pledge: ResourcePledge) -> dict:
    return {
        "id": pledge.id, "organization": pledge.organization_id, "kind": pledge.kind.value,
        "description": pledge.description, "quantity": str(Decimal(pledge.quantity).quantize(CENT)),
        "unit": pledge.unit, "value_eur": str(Decimal(pledge.value_eur).quantize(CENT)),
        "entered_by": pledge.entered_by, "confirmed": pledge.confirmed_at is not None,
        "confirmed_by": pledge.confirmed_by,
    }
