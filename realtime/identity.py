"""Who is at the other end of a connection, once `hello` has been answered."""

from __future__ import annotations

from dataclasses import dataclass

from boards.models import PersonRole
from realtime.visibility import Viewer


@dataclass(frozen=True)
class Identity:
    person_id: int
    name: str
    organization_id: int | None
    role: PersonRole
    meeting_id: int
    lang: str

    @property
    def viewer(self) -> Viewer:
        return Viewer(person_id=self.person_id, role=self.role)
