"""`tavolo demo`: a realistic co-design process to try Tavolo with.

Modelled on Padova's PNRR 1.3.2 co-design of a service centre for severe marginality
(../shared/domain.md); the organisations and people are invented.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from app.demo_meeting import hold_first_meeting
from app.settings import Settings
from boards import accounts, invites, meetings, pledges, processes
from boards.access import Actor
from boards.clock import utcnow
from boards.models import (
    Account,
    AccountRole,
    AuthToken,
    Invite,
    MeetingMode,
    OrganizationKind,
    Person,
    PersonRole,
    PledgeKind,
    Process,
    ProcessKind,
)

FACILITATOR = ("facilitatrice@tavolo.example", "Giulia Ferraro")
SECRETARY = ("verbalizzante@tavolo.example", "Marco Zanin")
# Printed on screen for a local demo only; never a real deployment's credentials.
DEMO_PASSWORD = "tavolo-demo-2026"
TITLE = "Centro servizi per il contrasto alla grave marginalità adulta"

ORGANIZATIONS = [
    ("Comune di Padova – Settore Servizi Sociali", OrganizationKind.public, False),
    ("Azienda ULSS 6 Euganea – Dipendenze", OrganizationKind.health, False),
    ("Cooperativa sociale Il Ponte", OrganizationKind.third_sector, True),
    ("Cooperativa sociale Percorsi", OrganizationKind.third_sector, False),
    ("Caritas diocesana", OrganizationKind.third_sector, False),
    ("Associazione Strada Amica ODV", OrganizationKind.third_sector, False),
    ("Associazione Casa Aperta APS", OrganizationKind.third_sector, False),
    ("Fondazione Opera Accoglienza", OrganizationKind.third_sector, False),
    ("Cooperativa sociale Lavoro e Dignità", OrganizationKind.third_sector, False),
    ("Croce Rossa Italiana – Comitato locale", OrganizationKind.other, False),
]
# (name, organisation index, role)
PEOPLE = [
    ("Laura Bianchi", 0, PersonRole.participant),
    ("Paolo Conte", 1, PersonRole.participant),
    ("Sara Greco", 2, PersonRole.participant),
    ("Davide Rinaldi", 2, PersonRole.participant),
    ("Elena Moretti", 3, PersonRole.participant),
    ("don Andrea Fabbri", 4, PersonRole.participant),
    ("Chiara Lombardi", 5, PersonRole.participant),
    ("Roberto Gallo", 6, PersonRole.participant),
    ("Anna Costa", 7, PersonRole.participant),
    ("Luca Mancini", 8, PersonRole.participant),
    ("Francesca Riva", 9, PersonRole.participant),
    ("Giorgio Esposito", 0, PersonRole.observer),
]
# (organisation index, kind, description, quantity, unit, value in euro, confirmed)
PLEDGES = [
    (0, PledgeKind.money, "Quota PNRR M5C2 1.3.2 per il centro servizi", "1", "progetto", "1090000.00", True),
    (0, PledgeKind.spaces, "Locali di via Tommaseo per l'accoglienza diurna", "600", "m²", "120000.00", True),
    (1, PledgeKind.staff_hours, "Operatori del SerD nell'équipe integrata", "1800", "ore", "63000.00", True),
    (2, PledgeKind.staff_hours, "Educatori professionali per l'apertura diurna", "3000", "ore", "84000.00", True),
    (4, PledgeKind.volunteers, "Volontari per l'accoglienza serale", "25", "volontari", "30000.00", True),
    (5, PledgeKind.goods, "Kit igienici e coperte per l'inverno", "500", "kit", "7500.00", False),
]
MEETINGS = [
    (
        "Primo incontro: lettura dei bisogni",
        MeetingMode.hybrid,
        "Sala Paladin, Palazzo Moroni – e collegamento video",
        [
            "Apertura dei lavori e presentazione dei partner",
            "Lettura condivisa dei bisogni delle persone senza dimora",
            "Lavoro in piccoli gruppi sulle domande guida",
            "Restituzione in plenaria e prossimi passi",
        ],
    ),
    (
        "Secondo incontro: linee di lavoro e risorse",
        MeetingMode.online,
        "Collegamento video (link inviato ai partner)",
        [
            "Approvazione del verbale del primo incontro",
            "Proposta delle linee di lavoro",
            "Impegni di risorse dei partner",
            "Varie ed eventuali",
        ],
    ),
]


def build_demo(session: Session, settings: Settings) -> str:
    """Create the demo once (or reuse it) and return what to open and how to sign in."""
    facilitator = _account(session, *FACILITATOR, AccountRole.facilitator)
    secretary = _account(session, *SECRETARY, AccountRole.secretary)
    actor = Actor(token=AuthToken(token_hash="", expires_at=utcnow()), account=facilitator)
    process = session.exec(
        select(Process).where(Process.title == TITLE, Process.created_by == facilitator.id)
    ).first()
    if process is None:
        process = _create_process(session, actor, secretary)
    links = []
    for invite, person in session.exec(
        select(Invite, Person)
        .join(Person, Person.id == Invite.person_id)
        .where(Invite.process_id == process.id, Invite.revoked_at.is_(None))
        .order_by(Invite.id)
    ):
        # Secrets are stored hashed: a fresh link is the only way to show one again.
        renewed = invites.renew_invite(session, actor=actor, invite_id=invite.id)
        links.append((person.name, settings.url(f"/join/{renewed.secret}")))
    session.commit()
    lines = [
        "Tavolo demo ready.",
        f"  Open {settings.url('/')} and sign in as:",
        f"    facilitator  {FACILITATOR[0]}  password {DEMO_PASSWORD}",
        f"    secretary    {SECRETARY[0]}  password {DEMO_PASSWORD}",
        f"  Process: {settings.url(f'/processes/{process.id}')}",
        "  Participants join with their personal links (each run of `tavolo demo` renews them):",
    ]
    lines += [f"    {name:<20} {url}" for name, url in links[:4]]
    if len(links) > 4:
        lines.append(f"    … and {len(links) - 4} more on the process page (renew a link to copy it).")
    return "\n".join(lines)


def _account(session: Session, email: str, name: str, role: AccountRole) -> Account:
    account = session.exec(select(Account).where(Account.email == email)).first()
    if account is None:
        account = accounts.create_account(session, email=email, name=name, role=role,
                                          password=DEMO_PASSWORD)
    return account


def _create_process(session: Session, actor: Actor, secretary: Account) -> Process:
    process = processes.create_process(
        session,
        actor=actor,
        title=TITLE,
        kind=ProcessKind.co_design,
        administration="Comune di Padova",
        procedure_ref="Avviso pubblico PNRR M5C2 – Investimento 1.3.2, art. 55 D.Lgs. 117/2017",
        rup_name="dott.ssa Maria Pellegrini",
        description=(
            "Co-progettazione di un centro servizi per persone in condizione di grave "
            "marginalità adulta e senza dimora: accoglienza diurna, orientamento ai servizi, "
            "presa in carico integrata socio-sanitaria, inserimento lavorativo."
        ),
    )
    processes.add_staff(session, actor=actor, process_id=process.id, email=secretary.email,
                        role=AccountRole.secretary)
    organizations = [
        processes.add_organization(session, actor=actor, process_id=process.id, name=name,
                                   kind=kind, ats_lead=lead)
        for name, kind, lead in ORGANIZATIONS
    ]
    for organization, kind, description, quantity, unit, value, confirmed in PLEDGES:
        pledge = pledges.create_pledge(session, actor=actor, process_id=process.id,
                                       organization_id=organizations[organization].id, kind=kind,
                                       description=description, quantity=quantity, unit=unit, value_eur=value)
        if confirmed:
            pledges.confirm_pledge(session, actor=actor, pledge_id=pledge.id)
    for title in ("Accoglienza e bassa soglia", "Salute e dipendenze", "Lavoro e autonomia"):
        processes.add_thematic_table(session, actor=actor, process_id=process.id, title=title)
    for name, organization, position in [
        ("dott.ssa Maria Pellegrini", 0, "Presidente (RUP)"),
        ("Laura Bianchi", 0, "Componente"),
        ("Sara Greco", 2, "Componente (capofila ATS)"),
        ("don Andrea Fabbri", 4, "Componente"),
    ]:
        processes.add_steering_member(
            session, actor=actor, process_id=process.id, name=name, position=position,
            organization_id=organizations[organization].id, started_on=date(2026, 10, 1),
        )
    # The first meeting is held a week before the demo is made (see app/demo_meeting.py);
    # the second comes a week after.
    first = datetime.combine(utcnow().date() - timedelta(days=7), datetime.min.time()).replace(hour=14)
    scheduled = []
    for index, (title, mode, location, agenda) in enumerate(MEETINGS):
        scheduled.append(meetings.create_meeting(
            session, actor=actor, process_id=process.id, title=title,
            starts_at=first + timedelta(days=14 * index), mode=mode, location=location,
            agenda=agenda,
        ))
    for name, organization, role in PEOPLE:
        invites.create_invite(session, actor=actor, process_id=process.id, name=name,
                              organization_id=organizations[organization].id, role=role)
    session.flush()
    hold_first_meeting(session, meeting=scheduled[0], facilitator=actor,
                       secretary=Actor(token=actor.token, account=secretary))
    return process
