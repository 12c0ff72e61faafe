"""Signing in with email and password for an API token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.deps import CurrentActor, ServicesDep, SessionDep, client_address
from boards import accounts
from boards.errors import NotAuthenticated

router = APIRouter(tags=["accounts"])


class Credentials(BaseModel):
    email: str
    password: str


def login_keys(request: Request, email: str) -> tuple[str, str]:
    return f"login-ip:{client_address(request)}", f"login-email:{email.strip().lower()}"


@router.post("/session")
def sign_in(body: Credentials, request: Request, session: SessionDep, services: ServicesDep) -> dict:
    """Exchange email and password for a bearer token."""
    keys = login_keys(request, body.email)
    services.limiter.check(*keys)
    try:
        account = accounts.authenticate(session, email=body.email, password=body.password)
    except NotAuthenticated:
        services.limiter.fail(*keys)
        raise
    token = accounts.issue_token(session, days=services.settings.token_days, account=account)
    session.commit()
    return {
        "token": token,
        "user": {"id": account.id, "name": account.name, "role": account.role.value},
    }


@router.delete("/session", status_code=204)
def sign_out(actor: CurrentActor, request: Request, session: SessionDep) -> Response:
    """End the token used for this request (extension)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        accounts.revoke_token(session, secret.strip())
        session.commit()
    return Response(status_code=204)
