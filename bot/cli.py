"""The `kuber` command: parse, console, demo, sandbox, serve, migrate, audit, check-config.

Each sub-command validates settings first, so a wrong variable or kuber.yaml stops it with
one clear line on stderr and exit status 2, before anything connects anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.nlu import AppCatalog

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"kuber: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kuber", description="ChatOps for Kubernetes teams")
    sub = parser.add_subparsers(dest="command", required=True)

    parse = sub.add_parser("parse", help="print what Kuber understands of a command")
    parse.add_argument("text", nargs="*", help="the command text")
    parse.add_argument("--json", action="store_true", help="print JSON (the default)")
    parse.add_argument("--apps", help="comma-separated known apps (replaces kuber.yaml's)")
    parse.add_argument("--clusters", help="comma-separated cluster names (replaces kuber.yaml's)")
    parse.add_argument("--namespaces", help="comma-separated namespaces known to exist")
    parse.add_argument(
        "--batch",
        action="store_true",
        help='read JSON lines {"text", "apps"?, "clusters"?, "namespaces"?} from stdin',
    )
    parse.set_defaults(run=_run_parse)

    for name, helptext in (
        ("console", "chat with Kuber in the terminal"),
        ("demo", "the console, wired to a local sandbox"),
    ):
        console = sub.add_parser(name, help=helptext)
        console.add_argument("--json", action="store_true", help="one JSON object per reply")
        console.add_argument("--yes", action="store_true", help="approve every plan")
        console.add_argument("--as", dest="actor", help="the acting user")
        group = console.add_mutually_exclusive_group()
        group.add_argument("--once", metavar="TEXT", help="send one message and exit")
        group.add_argument("--script", type=Path, metavar="FILE", help="send each line of FILE")
        console.set_defaults(run=_run_console if name == "console" else _run_demo)

    sandbox = sub.add_parser("sandbox", help="run the local sandbox servers until stopped")
    sandbox.add_argument("--dir", type=Path, default=Path(".kuber/sandbox"))
    sandbox.set_defaults(run=_run_sandbox)

    serve = sub.add_parser("serve", help="run the HTTP server (Slack, Mattermost, webhooks)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(run=_run_serve)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(run=_run_migrate)

    standup = sub.add_parser("standup", help="post a team's stand-up digest to its channels now")
    standup.add_argument("--team", required=True, help="the team's name in kuber.yaml")
    standup.set_defaults(run=_run_standup)

    audit = sub.add_parser("audit", help="list the audit log, or verify its hash chain")
    audit.add_argument(
        "--since", default="24h", help="how far back: 30m, 24h, 7d, 2w (default 24h)"
    )
    audit.add_argument("--person", help="only this person (display name or platform user id)")
    audit.add_argument("--app", help="only records whose target is this app")
    output = audit.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON array")
    output.add_argument("--csv", action="store_true", help="print CSV with a header row")
    audit.set_defaults(run=_run_audit)
    audit_sub = audit.add_subparsers(dest="audit_command")
    verify = audit_sub.add_parser(
        "verify", help="check the hash chain; exit 1 naming the first row that does not match"
    )
    verify.add_argument(
        "--expect", metavar="HASH", help="a head printed by an earlier verify; it must remain"
    )
    verify.set_defaults(run=_run_audit_verify)

    slo = sub.add_parser("slo", help="service level objectives of kuber.yaml")
    slo_sub = slo.add_subparsers(dest="slo_command", required=True)
    slo_rules = slo_sub.add_parser(
        "rules", help="print Prometheus recording and burn-rate alert rules for the SLOs"
    )
    slo_rules.add_argument(
        "--window-scale",
        default="1",
        metavar="X",
        help="shrink every window by X (e.g. 1/60, for tests); names and labels stay",
    )
    slo_rules.set_defaults(run=_run_slo_rules)

    check = sub.add_parser("check-config", help="validate the environment and kuber.yaml")
    check.set_defaults(run=_run_check)
    return parser


# -- parse -----------------------------------------------------------------------------------
def _run_parse(args: argparse.Namespace) -> int:
    """Print what Kuber understands: one JSON object per text (see `bot.intents.Intent`).

    Apps, clusters and namespaces come from the options, else from kuber.yaml; in `--batch`
    a line's own `apps`, `clusters` or `namespaces` replace them for that line.
    """
    from bot.nlu import parse

    default = _parse_catalog(args)
    if args.batch:
        for line in sys.stdin:
            if not line.strip():
                continue
            item = json.loads(line)
            catalog = _line_catalog(default, item)
            print(json.dumps(parse(item["text"], catalog).to_json(), ensure_ascii=False))
        return 0
    print(json.dumps(parse(" ".join(args.text), default).to_json(), ensure_ascii=False))
    return 0


def _names(option: str | None) -> list[str] | None:
    return None if option is None else [n.strip() for n in option.split(",") if n.strip()]


def _parse_catalog(args: argparse.Namespace) -> AppCatalog:
    from bot.nlu import AppCatalog

    apps, clusters = _names(args.apps), _names(args.clusters)
    configured = _configured_catalog() if apps is None or clusters is None else None
    return AppCatalog.from_names(
        apps if apps is not None else configured.names if configured else (),
        aliases=configured.aliases if configured and apps is None else None,
        clusters=clusters if clusters is not None else configured.clusters if configured else (),
        namespaces=_names(args.namespaces) or (),
    )


def _line_catalog(default: AppCatalog, item: dict[str, Any]) -> AppCatalog:
    from bot.nlu import AppCatalog

    apps, clusters, namespaces = item.get("apps"), item.get("clusters"), item.get("namespaces")
    if apps is None and clusters is None and namespaces is None:
        return default
    return AppCatalog.from_names(
        default.names if apps is None else apps,
        aliases=default.aliases if apps is None else None,
        clusters=default.clusters if clusters is None else clusters,
        namespaces=default.namespaces if namespaces is None else namespaces,
    )


def _configured_catalog() -> AppCatalog:
    from bot.nlu import AppCatalog
    from bot.settings import load_settings

    config = load_settings().config
    aliases = {alias: app.name for app in config.apps for alias in app.aliases}
    return AppCatalog.from_names(
        [app.name for app in config.apps],
        aliases=aliases,
        clusters=[cluster.name for cluster in config.clusters],
    )


# -- console and demo ------------------------------------------------------------------------
def _run_console(args: argparse.Namespace, *, fresh: bool = False) -> int:
    from bot.chat.console import Console
    from bot.messages import Actor
    from bot.runtime import build_runtime

    # The conversation is the output here; routine log lines would only interleave with it.
    os.environ.setdefault("KUBER_LOG_LEVEL", "warning")
    runtime = build_runtime()
    if fresh:  # a new demo does not remember what "it" meant last time
        runtime.dispatcher.forget_context("console")
    name = args.actor or os.environ.get("KUBER_USER") or _login_name()
    console = Console(
        runtime.dispatcher,
        Actor(id=name, name=name),
        as_json=args.json,
        auto_approve=args.yes,
        ask=sys.stdin,
    )
    try:
        if args.once is not None:
            console.say(args.once)
        elif args.script is not None:
            console.run(args.script.read_text(encoding="utf-8").splitlines())
        elif sys.stdin.isatty():
            console.interactive(sys.stdin)
        else:
            console.run(sys.stdin)
    finally:
        runtime.close()
    return 0


def _sandbox_launcher() -> Any:
    """The sandbox servers' launcher, found through the `kuber.sandbox` entry point.

    The product never imports the sandbox: a build without it (the Docker image) still runs
    every other sub-command, and these two say plainly that the sandbox is not there.
    """
    from importlib.metadata import entry_points

    for entry in entry_points(group="kuber.sandbox", name="start"):
        try:
            return entry.load()
        except ImportError:
            break
    raise SystemExit("kuber: the sandbox servers are not installed in this build of Kuber")


def _run_demo(args: argparse.Namespace) -> int:
    start_sandbox = _sandbox_launcher()
    state_dir = Path(os.environ.get("KUBER_DEMO_DIR", ".kuber/demo"))
    # The person at the console joins the sample team, so the demo's own user may act.
    guest = args.actor or os.environ.get("KUBER_USER") or _login_name()
    with start_sandbox(state_dir, guest=guest) as sandbox:
        os.environ.update(sandbox.env)
        if not args.json and args.once is None and args.script is None:
            print(f"Sandbox running ({', '.join(sandbox.names())}); state in {state_dir}/")
        return _run_console(args, fresh=True)


def _run_sandbox(args: argparse.Namespace) -> int:
    import time

    start_sandbox = _sandbox_launcher()
    # Whoever runs it joins the sample team, so `kuber console` in the next terminal may act.
    guest = os.environ.get("KUBER_USER") or _login_name()
    with start_sandbox(args.dir, guest=guest) as sandbox:
        print(json.dumps({"env": sandbox.env, "servers": sandbox.urls()}), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


# -- operations ------------------------------------------------------------------------------
def _run_serve(args: argparse.Namespace) -> int:
    from bot.runtime import build_runtime
    from bot.server import serve

    runtime = build_runtime()
    try:
        serve(runtime, args.host, args.port)
    finally:
        runtime.close()
    return 0


def _run_migrate(_args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from bot.store.migrate import current_revision, upgrade

    url = load_settings().env.database_url
    upgrade(url)
    print(f"database at revision {current_revision(url)}")
    return 0


def _run_standup(args: argparse.Namespace) -> int:
    """Build the digest, queue it for the team's channels and deliver it before exiting."""
    import time
    from datetime import UTC, datetime

    from bot.errors import KuberError
    from bot.runtime import build_runtime
    from bot.server import KuberServer
    from bot.standup_schedule import post_digest

    runtime = build_runtime()
    try:
        team = runtime.settings.config.team(args.team)
        if team is None:
            names = ", ".join(t.name for t in runtime.settings.config.teams) or "-"
            print(f"kuber standup: no team {args.team!r} in kuber.yaml (teams: {names})")
            return 2
        server = KuberServer(runtime)
        outbox = server.outbox
        try:
            posted = post_digest(
                runtime, outbox.enqueue_post, tuple(outbox.transports), team, datetime.now(UTC)
            )
        except KuberError as exc:
            print(f"kuber standup: {exc}")
            return 1
        if not posted:
            print(f"kuber standup: team {team.name} has no channel on a configured platform")
            return 1
        deadline = time.monotonic() + 60
        while outbox.pending_count() and time.monotonic() < deadline:
            if not outbox.deliver_once():
                time.sleep(0.2)  # rate limited: the queue says when to try again
        left = outbox.pending_count()
        print(
            f"posted the digest of {team.name} to {posted} channel(s)"
            + (f"; {left} still queued" if left else "")
        )
        return 0 if not left else 1
    finally:
        runtime.close()


def _run_audit(args: argparse.Namespace) -> int:
    import csv
    from datetime import UTC, datetime

    from bot.audit_log import (
        COLUMNS,
        ROW_FIELDS,
        as_row,
        find_records,
        parse_since,
        target_names,
    )
    from bot.settings import load_settings
    from bot.store import open_store

    try:
        since = datetime.now(UTC) - parse_since(args.since)
    except ValueError as exc:
        print(f"kuber audit: --since: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings = load_settings()
    targets = None
    if args.app:
        app = settings.config.app(args.app)
        targets = target_names(args.app, app.deployment_name if app else None)
    store = open_store(settings.env.database_url)
    try:
        rows = [
            as_row(r) for r in find_records(store, since=since, person=args.person, targets=targets)
        ]
    finally:
        store.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=ROW_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = [tuple(c.upper() for c in COLUMNS)]
        table += [tuple(_cell(row[c], c) for c in COLUMNS) for row in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
        for line in table:
            print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
    return 0


def _cell(value: object, column: str) -> str:
    if value is None:
        return "-"
    text = " ".join(str(value).split())
    if column == "time":
        return text[:19] + "Z"  # stored in UTC; seconds are enough to read by
    return text if len(text) <= 48 else text[:47] + "…"


def _run_audit_verify(args: argparse.Namespace) -> int:
    from bot.audit_chain import verify
    from bot.settings import load_settings
    from bot.store import open_store

    settings = load_settings()
    store = open_store(settings.env.database_url)
    try:
        check = verify(
            store,
            pruning_allowed=settings.config.retention.audit_days is not None,
            expect=args.expect,
        )
    finally:
        store.dispose()
    print(check.summary())
    return 0 if check.intact else 1


def _run_slo_rules(args: argparse.Namespace) -> int:
    """Print the rules file for kuber.yaml's SLOs; `promtool check rules` accepts it."""
    from bot.settings import load_settings
    from slo.rules import rules_yaml

    try:
        numerator, _, denominator = args.window_scale.partition("/")
        scale = float(numerator) / float(denominator or 1)
        text = rules_yaml(load_settings().config.slos, window_scale=scale)
    except (ValueError, ZeroDivisionError) as exc:
        print(f"kuber slo rules: --window-scale {args.window_scale}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    sys.stdout.write(text)
    return 0


def _run_check(_args: argparse.Namespace) -> int:
    from bot.settings import load_settings

    settings = load_settings()
    config = settings.config
    print(
        f"ok: {len(config.teams)} teams, {len(config.apps)} apps, {len(config.clusters)} clusters"
        + (f" from {settings.config_path}" if settings.config_path else " (no KUBER_CONFIG)")
    )
    return 0


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "console"


if __name__ == "__main__":
    sys.exit(main())
