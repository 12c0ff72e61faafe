"""Board templates (`boards.templates`): what each lays out, where, and the events."""

from __future__ import annotations

import pytest

from boards import items, prompts, templates
from boards.errors import InvalidInput, NotAllowed
from boards.models import ItemKind
from tests.boards.workshop import build_workshop

TITLES = {
    "design-thinking": ["1. Empatizzare", "2. Definire", "3. Ideare", "4. Prototipare", "5. Testare"],
    "swot": ["Punti di forza", "Debolezze", "Opportunità", "Minacce"],
    "problem-tree": ["Effetti", "Problema centrale", "Cause"],
    "co-design-table": ["Bisogni", "Risorse", "Partner"],
    "guiding-questions": ["Domanda 1", "Domanda 2", "Domanda 3"],
}


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def apply(session, workshop, template, **options):
    events = templates.apply_template(session=session, board=workshop.plenary, actor_person=workshop.facilitator,
                                      template=template, **options)
    session.commit()
    return events


def overlaps(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


@pytest.mark.parametrize("template", templates.TEMPLATES)
def test_each_template_lays_out_a_title_and_frames_with_a_hint_inside(session, workshop, template):
    events = apply(session, workshop, template)
    assert {e.name for e in events} == {"item.created"}
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    made = [e.data["item"] for e in events]
    title, rest = made[0], made[1:]
    frames = [i for i in rest if i["kind"] == "frame"]
    assert title["kind"] == "text" and title["text"]
    assert [f["text"] for f in frames] == TITLES[template]
    for frame in frames:
        assert frame["y"] >= title["y"] + title["h"]
        hints = [i for i in rest if i["frame"] == frame["id"]]
        assert len(hints) == 1 and hints[0]["kind"] == "text" and hints[0]["text"]
        hint = hints[0]
        assert frame["x"] <= hint["x"] and hint["x"] + hint["w"] <= frame["x"] + frame["w"]
        assert frame["y"] <= hint["y"] and hint["y"] + hint["h"] <= frame["y"] + frame["h"]
    assert not any(overlaps(a, b) for a in frames for b in frames if a is not b)
    assert templates.template_result(events) == {"items": made}


def test_a_template_goes_below_what_is_on_the_board(session, workshop):
    note = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.participants[0],
                             kind=ItemKind.note, x=-300, y=1000, h=150).data["item"]
    session.commit()
    made = [e.data["item"] for e in apply(session, workshop, "swot")]
    assert min(i["x"] for i in made) == -300
    assert min(i["y"] for i in made) > note["y"] + note["h"]


def test_guiding_questions_become_columns_tied_to_the_open_prompts(session, workshop):
    asked = []
    for text in ("Quali bisogni?", "Quali risorse?", "Chiusa"):
        asked.append(prompts.open_prompt(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                         text=text).data["prompt"]["id"])
        session.commit()
    prompts.close_prompt(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                         prompt_id=asked[2])
    session.commit()
    made = [e.data["item"] for e in apply(session, workshop, "guiding-questions", lang="en")]
    frames = [i for i in made if i["kind"] == "frame"]
    assert [(f["text"], f["prompt"]) for f in frames] == [("Quali bisogni?", asked[0]), ("Quali risorse?", asked[1])]
    assert made[0]["text"] == "Guiding questions"


def test_templates_are_for_facilitators_and_known_names(session, workshop):
    with pytest.raises(NotAllowed):
        templates.apply_template(session=session, board=workshop.plenary, actor_person=workshop.secretary,
                                 template="swot")
    session.rollback()
    with pytest.raises(InvalidInput):
        apply(session, workshop, "kanban")
