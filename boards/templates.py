"""Board templates (modelli): frames with a title and a hint each, laid out below what is
already on the board, for design thinking, guiding questions in columns, SWOT, the problem
tree and a co-design table (needs / resources / partners).

Texts are board content, written in the language of the facilitator who applies the
template. Applying one is a board op: one `item.created` per item, in the caller's
transaction. See docs/protocol.md ("Templates").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from boards.errors import InvalidInput
from boards.guards import open_board_control
from boards.items import create_item, live_items
from boards.models import Board, Event, ItemKind, Person, Prompt

# Room between what is on the board and the template, and between frames (board units).
GAP = 80
TITLE_HEIGHT = 80
HINT_HEIGHT = 90
# With no open question, the guiding-questions template offers this many empty columns.
EMPTY_QUESTIONS = 3


@dataclass(frozen=True)
class Part:
    """One frame of a template: its title, the hint shown inside it, size and colour."""

    title: str
    hint: str
    w: float
    h: float
    color: str
    prompt_id: int | None = None


def _text(lang: str, it: str, en: str) -> str:
    return en if lang == "en" else it


def _design_thinking(lang: str) -> tuple[str, list[list[Part]]]:
    stages = [
        ("Empatizzare", "Empathise", "Chi sono le persone coinvolte? Cosa vivono, dicono, cercano?",
         "Who are the people involved? What do they live, say, look for?", "blue"),
        ("Definire", "Define", "Qual è il problema da risolvere, detto dal loro punto di vista?",
         "What is the problem to solve, put from their point of view?", "green"),
        ("Ideare", "Ideate", "Tutte le idee possibili: prima la quantità, poi la scelta.",
         "Every possible idea: quantity first, choosing later.", "yellow"),
        ("Prototipare", "Prototype", "Come rendere concreta un'idea, in piccolo e subito?",
         "How could an idea be made concrete, small and soon?", "orange"),
        ("Testare", "Test", "Come provarla con le persone? Che cosa vogliamo imparare?",
         "How could we try it with people? What do we want to learn?", "pink"),
    ]
    row = [Part(f"{n}. {_text(lang, it, en)}", _text(lang, hint_it, hint_en), 500, 700, color)
           for n, (it, en, hint_it, hint_en, color) in enumerate(stages, start=1)]
    return _text(lang, "Design thinking", "Design thinking"), [row]


def _guiding_questions(lang: str, prompts: list[Prompt]) -> tuple[str, list[list[Part]]]:
    hint = _text(lang, "Una nota per ogni contributo.", "One note per contribution.")
    if prompts:
        row = [Part(p.text, hint, 600, 800, "grey", prompt_id=p.id) for p in prompts]
    else:
        row = [Part(_text(lang, f"Domanda {n}", f"Question {n}"), hint, 600, 800, "grey")
               for n in range(1, EMPTY_QUESTIONS + 1)]
    return _text(lang, "Domande guida", "Guiding questions"), [row]


def _swot(lang: str) -> tuple[str, list[list[Part]]]:
    def part(it: str, en: str, hint_it: str, hint_en: str, color: str) -> Part:
        return Part(_text(lang, it, en), _text(lang, hint_it, hint_en), 700, 500, color)

    return "SWOT", [
        [part("Punti di forza", "Strengths", "Che cosa funziona già? Su che cosa possiamo contare?",
              "What already works? What can we count on?", "green"),
         part("Debolezze", "Weaknesses", "Che cosa manca o non funziona?", "What is missing or not working?",
              "orange")],
        [part("Opportunità", "Opportunities", "Che cosa, fuori di noi, può aiutarci?",
              "What, outside us, could help?", "blue"),
         part("Minacce", "Threats", "Che cosa, fuori di noi, può ostacolarci?",
              "What, outside us, could stand in the way?", "pink")],
    ]


def _problem_tree(lang: str) -> tuple[str, list[list[Part]]]:
    return _text(lang, "Albero dei problemi", "Problem tree"), [
        [Part(_text(lang, "Effetti", "Effects"),
              _text(lang, "Quali conseguenze ha il problema, e per chi?",
                    "What does the problem lead to, and for whom?"),
              1500, 400, "orange")],
        [Part(_text(lang, "Problema centrale", "Core problem"),
              _text(lang, "Il problema in una frase.", "The problem in one sentence."), 1500, 250, "pink")],
        [Part(_text(lang, "Cause", "Causes"),
              _text(lang, "Perché succede? Scavate fino alle radici.", "Why does it happen? Dig down to the roots."),
              1500, 400, "green")],
    ]


def _co_design_table(lang: str) -> tuple[str, list[list[Part]]]:
    return _text(lang, "Tavolo di co-progettazione", "Co-design table"), [[
        Part(_text(lang, "Bisogni", "Needs"),
             _text(lang, "Quali bisogni del territorio affrontiamo?", "Which needs of the area do we take on?"),
             600, 800, "blue"),
        Part(_text(lang, "Risorse", "Resources"),
             _text(lang, "Che cosa mette ciascun ente: denaro, ore, spazi, volontari, beni.",
                   "What each body brings: money, hours, spaces, volunteers, goods."),
             600, 800, "green"),
        Part(_text(lang, "Partner", "Partners"),
             _text(lang, "Chi fa che cosa? Chi manca al tavolo?", "Who does what? Who is missing from the table?"),
             600, 800, "violet"),
    ]]


TEMPLATES = ("design-thinking", "guiding-questions", "swot", "problem-tree", "co-design-table")


def parts(template: str, *, lang: str, prompts: list[Prompt]) -> tuple[str, list[list[Part]]]:
    """The template's title and its frames, row by row. Raises InvalidInput."""
    if template == "design-thinking":
        return _design_thinking(lang)
    if template == "guiding-questions":
        return _guiding_questions(lang, prompts)
    if template == "swot":
        return _swot(lang)
    if template == "problem-tree":
        return _problem_tree(lang)
    if template == "co-design-table":
        return _co_design_table(lang)
    raise InvalidInput("The field '{field}' must be one of: {allowed}", field="template",
                       allowed=", ".join(TEMPLATES))


@dataclass(frozen=True)
class Placed:
    """An item of a laid-out template; `inside` is the index of the frame that holds it."""

    kind: ItemKind
    x: float
    y: float
    w: float
    h: float
    text: str
    color: str
    prompt_id: int | None = None
    inside: int | None = None


def layout(title: str, rows: list[list[Part]], *, x: float, y: float) -> list[Placed]:
    """The title on top, then the rows of frames left to right, each frame followed by its
    hint text placed inside it; starting at (`x`, `y`)."""
    width = max(sum(part.w for part in row) + GAP * (len(row) - 1) for row in rows)
    placed = [Placed(ItemKind.text, x, y, width, TITLE_HEIGHT, title, "white")]
    top = y + TITLE_HEIGHT + GAP
    for row in rows:
        left = x
        for part in row:
            placed.append(Placed(ItemKind.frame, left, top, part.w, part.h, part.title, part.color,
                                 prompt_id=part.prompt_id))
            frame = len(placed) - 1
            placed.append(Placed(ItemKind.text, left + GAP / 2, top + GAP, part.w - GAP, HINT_HEIGHT,
                                 part.hint, "white", inside=frame))
            left += part.w + GAP
        top += max(part.h for part in row) + GAP
    return placed


def open_prompts_for(session: Session, board: Board) -> list[Prompt]:
    """The board's meeting's open questions meant for this board (everyone's, or its group's)."""
    prompts = session.exec(
        select(Prompt).where(Prompt.meeting_id == board.meeting_id, Prompt.closed_at.is_(None)).order_by(Prompt.id)
    )
    return [p for p in prompts if p.group_ids is None or board.group_id in p.group_ids]


def apply_template(*, session: Session, board: Board, actor_person: Person, template: str,
                   lang: str = "it", op_id: str | None = None) -> list[Event]:
    """Add a template's items below the board's content; returns their `item.created`
    events in order. Raises NotAllowed, Locked (ended meeting), InvalidInput."""
    open_board_control(session, board=board, actor_person=actor_person)
    title, rows = parts(template, lang=lang, prompts=open_prompts_for(session, board))
    existing = live_items(session, board.id)
    x = min((item.x for item in existing), default=0.0)
    y = max((item.y + item.h for item in existing), default=-GAP) + GAP
    events: list[Event] = []
    for spec in layout(title, rows, x=x, y=y):
        frame_id = events[spec.inside].data["item"]["id"] if spec.inside is not None else None
        events.append(create_item(session=session, board=board, actor_person=actor_person, kind=spec.kind,
                                  x=spec.x, y=spec.y, w=spec.w, h=spec.h, text=spec.text, color=spec.color,
                                  prompt_id=spec.prompt_id, frame_id=frame_id, op_id=op_id))
    return events


def template_result(events: list[Event]) -> dict:
    """The ack's `result` of `template.apply`: `{"items": [item]}` as the facilitator sees them."""
    return {"items": [event.data["item"] for event in events]}
