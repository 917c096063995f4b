"""The `lvv` command: migrate, demo, serve, manage, and the pass-through commands in `PASSTHROUGH`.

Sub-commands are thin: each calls a Django management command, so `lvv manage <name>` and
`lvv <name>` do the same thing."""

import argparse
import os
import sys


def _setup_django() -> None:
    """Load the settings; a configuration fault (e.g. production without its keys) ends the command
    with its own Dutch message instead of a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvv.conf.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"Fout in de configuratie: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _call(name: str, *args: str) -> int:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *args)
    except CommandError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return getattr(exc, "returncode", 1) or 1
    return 0


#: `lvv <name> …` runs the management command `PASSTHROUGH[name]` with the same arguments.
PASSTHROUGH = {
    "import": "lvv_import",
    "export": "lvv_export",
    "monitor": "lvv_monitor",
    "analyse": "lvv_analyse",
    "audit-verify": "lvv_audit_verify",
    "audit-seal": "lvv_audit_seal",
    "retention": "lvv_retention",
    "reconcile": "lvv_reconcile",
    "duplicates": "lvv_duplicates",
    "backup": "lvv_backup",
    "restore": "lvv_restore",
    "rotate-keys": "lvv_rotate_field_keys",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="lvv", description="LVV-registratie")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="maak of werk het databaseschema bij en laad de referentiegegevens")
    demo = sub.add_parser("demo", help="migrate, demodata, demogebruikers en start de applicatie")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="alleen de gegevens laden, niet starten")
    serve = sub.add_parser("serve", help="start de applicatie (productieserver)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("LVV_WORKERS", "3")))
    sub.add_parser("manage", help="Django-beheercommando's", add_help=False)
    for name in PASSTHROUGH:
        sub.add_parser(name, help=f"zie: lvv {name} --help", add_help=False)

    if argv and argv[0] in PASSTHROUGH:
        # Sub-commands that are Django management commands of their own (`lvv_<name>`): their
        # arguments, help and exit codes come from the command itself.
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line([f"lvv {argv[0]}", PASSTHROUGH[argv[0]], *argv[1:]])
        return 0
    if argv and argv[0] == "manage":
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["lvv manage", *argv[1:]])
        return 0

    args = parser.parse_args(argv)
    _setup_django()
    if args.command == "migrate":
        return _call("lvv_migrate")
    if args.command == "demo":
        code = _call("lvv_migrate") or _call("lvv_demo_data")
        if code or args.no_serve:
            return code
        return serve_app(args.host, args.port, workers=2)
    if args.command == "serve":
        return serve_app(args.host, args.port, workers=args.workers)
    return 2


def _start_sealer():
    """The access log's sealer beside the server (docs/logboek.md §3): `lvv audit-seal --elke N` in
    a process of its own, which ends when the server ends. LVV_AUDIT_SEAL_INTERVAL=0 switches it off
    (then seal with a timer)."""
    import subprocess

    from django.conf import settings

    interval = settings.LVV_AUDIT_SEAL_INTERVAL
    if interval <= 0:
        return None
    command = [sys.executable, "-m", "lvv.cli", "audit-seal", "--elke", str(interval), "--ouder", str(os.getpid())]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - our own command


def serve_app(host: str, port: int, *, workers: int) -> int:
    """Serve with gunicorn (threads share one SQLite connection per thread; WAL allows that), with
    the access log's sealer beside it."""
    from gunicorn.app.base import BaseApplication

    from lvv.conf.wsgi import application

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)

        def load(self):
            return application

    print(f"LVV-registratie draait op http://{host}:{port}/  (stoppen: Ctrl+C)", flush=True)
    sealer = _start_sealer()
    try:
        _Server().run()
    finally:
        if sealer is not None:
            sealer.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
