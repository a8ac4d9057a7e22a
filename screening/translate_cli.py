"""`flask translate extract|update|compile|init`: the interface catalogues in `translations/`.

A thin wrapper over Babel's own `pybabel` (same options every time, so diffs stay small):

* ``extract`` writes ``translations/messages.pot`` from ``babel.cfg`` (not committed);
* ``update`` extracts, then merges into every ``messages.po``: new messages arrive untranslated
  (no fuzzy guesses), removed ones are dropped;
* ``compile`` writes every ``messages.mo`` (committed with its ``.po``; a test fails when stale);
* ``init LANG`` starts a catalogue for a new language.

Instrument and question wording is not in these catalogues: it lives per language in
``screening/domain/data/*.toml``.
"""

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "babel.cfg"
CATALOGUES = ROOT / "translations"
TEMPLATE = CATALOGUES / "messages.pot"
# `_l` is Flask-Babel's lazy gettext; `N_` marks the domain's English sentences (domain/phrases.py).
KEYWORDS = ("_l", "N_")

translate_cli = AppGroup("translate", help="Extract, update and compile the interface catalogues.")


def extract_arguments(output: Path) -> list[str]:
    """`pybabel extract` arguments for this project (shared with the catalogue tests)."""
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    return ["pybabel", "extract", "-F", str(CONFIG), *keywords, "--no-location", "--no-wrap",
            "--sort-output", "--project", "intake-screening", "-o", str(output), str(ROOT)]


def _pybabel(*arguments: str) -> None:
    CATALOGUES.mkdir(exist_ok=True)
    status = CommandLineInterface().run(["pybabel", "-q", *arguments])
    if status:
        raise click.ClickException(f"pybabel {arguments[0]} failed")


@translate_cli.command("extract")
def extract() -> None:
    """Collect every marked message into translations/messages.pot."""
    _pybabel(*extract_arguments(TEMPLATE)[1:])
    click.echo(f"Wrote {TEMPLATE.relative_to(ROOT)}.")


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge the template into every language's messages.po."""
    _pybabel(*extract_arguments(TEMPLATE)[1:])
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(CATALOGUES), "--no-fuzzy-matching",
             "--ignore-obsolete", "--no-wrap")
    click.echo("Updated the catalogues: translate the new messages, then compile them.")


@translate_cli.command("compile")
def compile_catalogues() -> None:
    """Compile every messages.po to messages.mo (fuzzy entries are left out)."""
    _pybabel("compile", "-d", str(CATALOGUES), "--statistics")
    click.echo("Compiled the catalogues.")


@translate_cli.command("init")
@click.argument("language")
def init(language: str) -> None:
    """Start a catalogue for LANGUAGE (also add it to screening/domain/locales.py and the data)."""
    _pybabel(*extract_arguments(TEMPLATE)[1:])
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOGUES), "-l", language,
             "--no-wrap")
    click.echo(f"Started translations/{language}/LC_MESSAGES/messages.po.")
