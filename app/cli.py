"""The `tavolo` command: serve, db upgrade, user add, demo, retention run."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from pydantic import ValidationError
from sqlmodel import Session

from app.database import Database, upgrade
from app.settings import get_settings
from boards import accounts, personal_data
from boards.errors import DomainError
from boards.models import AccountRole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tavolo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="upgrade the database and start the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="run the migrations up to the latest")

    user = commands.add_parser("user", help="staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a facilitator or secretary account")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in AccountRole])

    commands.add_parser("demo", help="fill the database with a demo co-design process")

    retention = commands.add_parser("retention", help="personal data retention")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_commands.add_parser(
        "run", help="erase the people of processes whose last meeting ended more than "
                    "TAVOLO_RETENTION_DAYS ago; prune expired sessions, op receipts and "
                    "stored exports nobody has read for 90 days")
    run.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as error:
        print(f"tavolo: {error.errors()[0]['msg']}", file=sys.stderr)
        return 2

    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    upgrade(settings.database_url)
    if args.command == "db":
        print("The database is up to date.")
        return 0
    if args.command == "user":
        return _add_user(settings, args.email, args.name, AccountRole(args.role))
    if args.command == "demo":
        from app.demo import build_demo

        database = Database(settings.database_url)
        with Session(database.engine) as session:
            print(build_demo(session, settings))
        return 0
    if args.command == "retention":
        return _retention(settings, dry_run=args.dry_run)
    return 1


def _retention(settings, *, dry_run: bool) -> int:
    from boards.exports.store import UNUSED_DAYS, ExportStore
    from realtime.ops import RECEIPT_DAYS

    database = Database(settings.database_url)
    days = settings.retention_days
    with Session(database.engine) as session:
        report = personal_data.run_retention(session, days=days, dry_run=dry_run, receipt_days=RECEIPT_DAYS)
        if not dry_run:
            session.commit()
    would = "Would erase" if dry_run else "Erased"
    if days is None:
        print("TAVOLO_RETENTION_DAYS is not set: nobody is erased.")
    for process_id in report.processes:
        people = [str(person) for process, person in report.erased if process == process_id]
        print(f"{would} {len(people)} {'person' if len(people) == 1 else 'people'} of process {process_id} "
              f"(ids {', '.join(people)}); "
              "approved minutes and syntheses are kept unchanged.")
    if days is not None and not report.processes:
        print(f"No process ended more than {days} days ago with people still to erase.")
    verb = "Would delete" if dry_run else "Deleted"
    print(f"{verb} {report.sessions} expired sessions and {report.receipts} op receipts "
          f"older than {RECEIPT_DAYS} days.")
    # A server prunes them at startup too; a server that runs for months relies on this.
    exports = ExportStore(settings.data_dir / "exports").prune(dry_run=dry_run)
    print(f"{verb} {exports} stored exports nobody has read for {UNUSED_DAYS} days.")
    return 0


def _serve(settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from realtime.wsserver import WebSocketProtocol

    if workers > 1 and not settings.redis_url:
        print(
            "tavolo: --workers above 1 needs TAVOLO_REDIS_URL, so that every worker sees the "
            "events of the others; without Redis, run a single worker.",
            file=sys.stderr,
        )
        return 2
    upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        ws=WebSocketProtocol,
    )
    return 0


def _add_user(settings, email: str, name: str, role: AccountRole) -> int:
    password = os.environ.get("TAVOLO_PASSWORD")
    if password is None:
        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
        password = password.rstrip("\n")
    database = Database(settings.database_url)
    with Session(database.engine) as session:
        try:
            account = accounts.create_account(session, email=email, name=name, role=role,
                                              password=password)
        except DomainError as error:
            print(f"tavolo: {error}", file=sys.stderr)
            return 1
        session.commit()
        print(f"Added {account.role.value} {account.name} <{account.email}> (id {account.id}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
