"""``iomodel update``: the annual update from the command line (safe to schedule).

Non-interactive; one line per step on stderr (none with ``--quiet`` or ``--json``); with
``--json`` one JSON object on stdout, also when it fails.  Exit codes: :data:`EXIT_CODES`.
"""

from __future__ import annotations

import json
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import click

__all__ = ["update_command"]


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False))


@click.command("update")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Year of the table.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML configuration (see README, 'The annual update').",
)
@click.option(
    "--runs",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the run folders (default: runs, or the configuration's).",
)
@click.option("--force", is_flag=True, help="Re-run even if the last run has the same inputs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary on stdout.")
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
@click.pass_context
def update_command(
    ctx: click.Context,
    year: int | None,
    config_file: Path | None,
    runs: Path | None,
    force: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Pick or project the table for YEAR, re-run every centre and report, and write a dated
    run folder with a change report against the previous run.

    \b
    Exit codes: 0 updated or already up to date; 1 unexpected error; 2 bad command line or
    configuration; 3 an input failed validation (nothing written); 4 another update is
    running; 5 the runs folder cannot be written.
    """
    from .errors import ConfigError, IOModelError, OutputError, UpdateLocked
    from .update import EXIT_CODES, UpdateConfig, load_config, update

    debug = bool(ctx.obj and ctx.obj.get("debug"))
    # systemd stops a service with SIGTERM: end like Ctrl-C, so the staging folder is removed
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))

    def fail(kind: str, message: str) -> None:
        code = EXIT_CODES[kind]
        if as_json:
            _emit({"status": "error", "error": message, "kind": kind, "exit_code": code})
        click.echo(f"Error: {message}", err=True)
        ctx.exit(code)

    def say(message: str) -> None:
        if not (quiet or as_json):
            click.echo(f"iomodel update: {message}", err=True)

    try:
        config = load_config(config_file) if config_file else UpdateConfig()
        if runs is not None:
            config = _replace(config, runs=runs)
        if year is not None:
            config = _replace(config, year=year)
        result = update(config, force=force, progress=say)
    except Exception as exc:
        if debug:
            raise
        kind, message = _failure(exc, (ConfigError, UpdateLocked, OutputError, IOModelError))
        fail(kind, message)
        return
    if as_json:
        _emit(
            {
                "status": result.status,
                "exit_code": 0,
                "run": result.path.name,
                "path": str(result.path.resolve()),
                "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
                "stale_lock": result.stale_lock,
                "summary": result.summary,
            }
        )
    elif result.status == "up-to-date":
        click.echo(f"up to date: {result.path} (same inputs, options and code)")
    else:
        table = result.summary["table"]
        click.echo(
            f"updated: {result.path} — table {table['id']}"
            + (" (PROJECTED)" if table["projected"] else "")
            + f", {len(result.summary['headline'])} centre(s), change against "
            + str(result.summary["change"]["against"])
        )


def _failure(exc: Exception, known: tuple[type, ...]) -> tuple[str, str]:
    """The exit kind (:data:`iomodel.update.EXIT_CODES`) and message of a failed update."""
    config, locked, output, refused = known
    if isinstance(exc, config):
        return "usage", str(exc)
    if isinstance(exc, locked):
        return "locked", str(exc)
    if isinstance(exc, output):
        return "output", str(exc)
    if isinstance(exc, OSError):
        return "output", f"{exc.filename or ''}: {exc.strerror or exc}"
    if isinstance(exc, refused):
        return "refused", f"{exc} — nothing was written; earlier runs are unchanged"
    traceback.print_exc()  # a bug: say so, keep the traceback on stderr
    return "error", f"unexpected {type(exc).__name__}: {exc}; earlier runs are unchanged"


def _replace(config: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(config, **changes)
