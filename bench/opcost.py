"""The CPU of one op, without sockets: `realtime.ops.execute` in a loop, as the hub calls it.

`python -m bench.opcost [--db postgresql] [--ops 2000]` prints the CPU time per op
(`item.create`, then `item.move`) of ten people on their breakout group's board. The
breakout scenario is bound by this cost; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from bench import provision
from bench.servers import Database
from boards.models import Item, Person
from realtime.frames import Op
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.ops import execute
from realtime.streams import StreamName

# Participants of the breakout measured: one group of ten writing on its own board.
GROUP = 10


def _identity(session: Session, person_id: int, meeting_id: int) -> Identity:
    person = session.get(Person, person_id)
    return Identity(person_id=person.id, name=person.name, organization_id=person.organization_id,
                    role=person.role, meeting_id=meeting_id, lang="it")


def _run(engine, identities: list[Identity], board_id: int, name: str, data_of, count: int) -> list[float]:
    """CPU seconds of each of `count` ops `name`, round-robin over the identities."""
    spec = OPS[name]
    stream = StreamName("board", board_id)
    costs = []
    for index, identity in zip(range(count), itertools.cycle(identities)):
        op = Op(id=f"{name}-{index}", stream=stream.wire, name=name, data=data_of(index, identity))
        started = time.process_time()
        with Session(engine, expire_on_commit=False) as session:
            execute(session, identity=identity, op=op, spec=spec, data=spec.read(op.data), stream=stream)
        costs.append(time.process_time() - started)
    return costs


def measure(kind: str, count: int) -> dict[str, dict[str, int]]:
    """Median and mean CPU µs per op of each kind, on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="opcost-") as folder:
        return _measure(Database.fresh(kind, Path(folder)), count)


def _measure(database: Database, count: int) -> dict[str, dict[str, int]]:
    engine = database.engine()
    try:
        world = provision.build(engine, participants=GROUP, groups_of=GROUP)
        board_id = world.group_boards[0]
        with Session(engine) as session:
            identities = [_identity(session, person_id, world.meeting_id) for person_id in world.person_ids]
        created = _run(engine, identities, board_id, "item.create",
                       lambda index, _: {"kind": "note", "x": index, "y": 0, "text": f"Nota {index}"}, count)
        with Session(engine) as session:
            mine = {person_id: item_id for item_id, person_id in session.exec(
                select(Item.id, Item.author_id).where(Item.board_id == board_id))}
        moved = _run(engine, identities, board_id, "item.move",
                     lambda index, identity: {"item": mine[identity.person_id], "x": index, "y": 1}, count)
        figures = {}
        for name, costs in (("item.create", created), ("item.move", moved)):
            costs = costs[len(costs) // 10:]  # past the warm-up
            figures[name] = {"median_us": round(statistics.median(costs) * 1e6),
                             "mean_us": round(statistics.fmean(costs) * 1e6)}
        return figures
    finally:
        engine.dispose()
        database.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--ops", type=int, default=2000, help="ops of each kind")
    options = parser.parse_args()
    for name, figures in measure(options.db, options.ops).items():
        print(f"{options.db:10} {name:12} median {figures['median_us']:5} µs  mean {figures['mean_us']:5} µs")


if __name__ == "__main__":
    main()
