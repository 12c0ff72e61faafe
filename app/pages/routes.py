"""Page routes: every page module's router, each state-changing request CSRF-checked (the
documents' upload checks its own, once it has read its form within the size limit)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.pages import (
    accessibility,
    attendance,
    audit,
    auth,
    documents,
    insights,
    invites,
    join,
    language,
    meetings,
    minutes,
    personal_data,
    pledges,
    processes,
    reflection,
    structure,
    synthesis,
)
from app.pages.deps import csrf_protect

router = APIRouter(include_in_schema=False)
for module in (auth, language, processes, structure, meetings, invites, join, audit,
               attendance, documents, minutes, reflection, pledges, synthesis, accessibility,
               insights, personal_data):
    router.include_router(module.router, dependencies=[Depends(csrf_protect)])
# The upload reads its body with the size limit first, then checks the CSRF token itself.
router.include_router(documents.upload_router)
