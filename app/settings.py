"""The one place where Tavolo reads its configuration (environment or `.env`).

See docs/operations.md for every setting.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that ship in examples and must never protect a real deployment.
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAVOLO_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    # Prepended to the Redis channel names: deployments (or test runs) sharing one Redis
    # keep apart with different prefixes (Pub/Sub ignores the database number).
    redis_prefix: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Bearer tokens and browser sessions: a workshop series spans weeks, so a month.
    token_days: int = 30
    # Failed logins/joins allowed per key within the window before answering 429.
    auth_failures_allowed: int = 10
    auth_failure_window_seconds: int = 900
    # Documents examined at a meeting: 20 MiB holds a long scanned PDF, not a video.
    upload_max_bytes: int = 20 * 2**20
    # Days after a process's last meeting ended before `tavolo retention run` erases its
    # participants and observers; unset keeps them (the administration decides, GDPR art. 5(1)(e)).
    retention_days: int | None = Field(default=None, ge=0)
    # Where people report accessibility problems (the feedback mechanism that the
    # accessibility statement must give, law 4/2004 art. 3-quinquies): an e-mail address.
    accessibility_contact: str = ""
    # Worker processes printing PDF, DOCX and ODT (app/printing.py), apart from the event loop:
    # one keeps a print from slowing live meetings; more print several documents at once, each
    # taking a core while it prints. 0 prints in the server's own threads.
    print_workers: int = Field(default=1, ge=0)
    # Seconds a print may take before its worker is killed and the download answers 503: a
    # 2,000-contribution verbale takes 20 to 35 s, so ten times that is only ever a stuck print.
    print_timeout_seconds: int = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'tavolo.db'}"
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            if not self.development:
                raise ValueError(
                    "TAVOLO_SECRET_KEY must be set to a long random value when "
                    f"TAVOLO_BASE_URL ({self.base_url}) is not a local address"
                )
            self.secret_key = _development_secret(self.data_dir)
        return self

    @property
    def development(self) -> bool:
        """A server only reachable on this machine: placeholder secrets are tolerated."""
        return (urlsplit(self.base_url).hostname or "") in LOOPBACK_HOSTS

    @property
    def secure_cookies(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded documents are kept, outside the database."""
        return self.data_dir / "uploads"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def _development_secret(data_dir: Path) -> str:
    """Persist a random secret so local sessions survive a restart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
