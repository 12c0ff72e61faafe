"""The application factory: settings, database, routers, middleware and error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors
from app.api import (
    attendance,
    boards,
    documents,
    insights,
    invites,
    join,
    meetings,
    minutes,
    personal_data,
    pledges,
    processes,
    session,
    synthesis,
)
from app.database import Database
from app.deps import Services
from app.i18n import current_language, negotiate
from app.pages import routes as pages
from app.printing import Printer
from app.ratelimit import FailureLimiter
from app.security import LANG_COOKIE, SecurityHeaders
from app.settings import Settings, get_settings
from boards.exports.store import ExportStore
from realtime import transport
from realtime.broker import broker_for
from realtime.hub import Hub

STATIC = Path(__file__).resolve().parent.parent / "static"


class LanguageMiddleware:
    """Sets the request's language from the remembered choice or Accept-Language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            token = current_language.set(_language(scope))
            try:
                await self.app(scope, receive, send)
            finally:
                current_language.reset(token)
        else:
            await self.app(scope, receive, send)


def _language(scope: Scope) -> str:
    # Not inline in the middleware: its frame lasts as long as a websocket does, and would
    # keep the headers as a dict for each connection.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    chosen = None
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANG_COOKIE:
            chosen = value
    return negotiate(headers.get("accept-language"), chosen)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    services = Services(
        settings=settings,
        db=Database(settings.database_url),
        limiter=FailureLimiter(
            allowed=settings.auth_failures_allowed,
            window_seconds=settings.auth_failure_window_seconds,
        ),
    )

    broker = broker_for(settings.redis_url, prefix=settings.redis_prefix)
    hub = Hub(services.db.engine, server_origin=settings.origin, broker=broker)
    printer = Printer(settings.print_workers, timeout=settings.print_timeout_seconds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.db.start()
        await hub.start()
        # Stored exports nobody has read for a long time (docs/exports.md, "Stored files").
        await asyncio.to_thread(ExportStore(settings.data_dir / "exports").prune)
        yield
        await hub.stop()
        # Waits for a print under way: in a thread, the loop still closes the other connections.
        await asyncio.to_thread(printer.close)
        services.db.dispose()

    app = FastAPI(
        title="Tavolo",
        version="1",
        summary="Co-design workshops between public administrations and the Third Sector",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.services = services
    app.state.hub = hub
    app.state.printer = printer
    errors.install(app)
    for module in (session, join, processes, meetings, invites, boards, attendance, documents, pledges, synthesis,
                   minutes, personal_data, insights):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.router.add_websocket_route(transport.PATH, transport.endpoint)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """200 when the server and its database answer, 503 otherwise."""
        try:
            with services.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any driver failure means the database is unavailable
            return JSONResponse(
                {"status": "unavailable", "detail": f"database: {type(error).__name__}"},
                status_code=503,
            )
        return JSONResponse({"status": "ok"})

    app.add_middleware(LanguageMiddleware)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    return app
