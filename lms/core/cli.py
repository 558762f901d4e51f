"""Core commands: ``lms demo load``, ``lms worker``, ``lms i18n ...`` (added to the app's CLI)."""
from __future__ import annotations

import importlib
import subprocess
import sys

import click
from flask.cli import with_appcontext

from lms import PROJECT_ROOT, discover_areas


def demo_modules() -> list[tuple[str, object]]:
    """(area, its ``demo`` module) for every area that has one, in DEMO_ORDER then area name."""
    loaders = []
    for area in discover_areas():
        try:
            module = importlib.import_module(f"lms.{area}.demo")
        except ModuleNotFoundError as error:
            if error.name == f"lms.{area}.demo":
                continue
            raise
        loaders.append((getattr(module, "DEMO_ORDER", 50), area, module))
    return [(area, module) for _order, area, module in sorted(loaders, key=lambda item: (item[0], item[1]))]


@click.group()
def demo():
    """Demonstration data."""


@demo.command("load")
@with_appcontext
def demo_load():
    """Load the demo data of every area (safe to run again: nothing is duplicated)."""
    from lms.core.db import db

    for area, module in demo_modules():
        click.echo(f"demo: {area}")
        module.load_demo()
        db.session.commit()
    from lms.accounts.demo import print_admin_login

    print_admin_login()


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between polls when idle.")
@with_appcontext
def worker(once: bool, poll: float):
    """Deliver the outbox (mail, grades, forwarded statements) with retries."""
    from lms.core.outbox import run_worker

    run_worker(poll_seconds=poll, once=once)


@click.group()
def i18n():
    """Extract, update and compile the translation catalogues (one per area under translations/)."""


LANGS = ("ar", "fr", "en")


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True,
                   cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _areas_with_sources(area: str | None) -> list[str]:
    areas = [a for a in discover_areas()] if area is None else [area]
    return [a for a in areas if (PROJECT_ROOT / "lms" / a).is_dir()]


@i18n.command("update")
@click.argument("area", required=False)
def i18n_update(area: str | None):
    """Extract AREA's strings (all areas by default) and merge them into its ar/fr/en catalogues."""
    for name in _areas_with_sources(area):
        folder = PROJECT_ROOT / "translations" / name
        folder.mkdir(parents=True, exist_ok=True)
        pot = folder / "messages.pot"
        _babel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
               "-o", str(pot), f"lms/{name}")
        for lang in LANGS:
            po = folder / lang / "LC_MESSAGES" / "messages.po"
            if po.exists():
                _babel("update", "-i", str(pot), "-d", str(folder), "-l", lang, "--no-fuzzy-matching")
            else:
                _babel("init", "-i", str(pot), "-d", str(folder), "-l", lang)
        pot.unlink()
        click.echo(f"updated translations/{name}")


@i18n.command("compile")
def i18n_compile():
    """Compile every catalogue to .mo (done at install and run time; .mo files are never committed)."""
    compile_catalogues()


def compile_catalogues(quiet: bool = False) -> int:
    count = 0
    root = PROJECT_ROOT / "translations"
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(root.glob("*/*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            count += 1
            continue
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        tmp = mo.with_suffix(".mo.tmp")
        with open(tmp, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=True)
        tmp.replace(mo)  # atomic: parallel test runs never read half a catalogue
        count += 1
    if not quiet:
        click.echo(f"compiled {count} catalogues")
    return count


@i18n.command("check")
def i18n_check():
    """List strings without an Arabic or French translation (exit 1 if any)."""
    from babel.messages.pofile import read_po

    missing = 0
    for po_path in sorted((PROJECT_ROOT / "translations").glob("*/*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        if lang == "en":
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and not message.string:
                missing += 1
                click.echo(f"{po_path.relative_to(PROJECT_ROOT)}: {message.id!r}")
    click.echo(f"{missing} missing")
    sys.exit(1 if missing else 0)


commands = [demo, worker, i18n]
