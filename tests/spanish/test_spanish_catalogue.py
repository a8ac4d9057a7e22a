"""The Spanish interface catalogue is complete, current and compiled.

Fails when a message marked in the code or templates has no Spanish, when a Spanish entry is fuzzy
or left over from text that no longer exists, when placeholders differ, or when the committed
messages.mo was not recompiled after messages.po changed (`flask --app screening translate
update`, translate, then `flask --app screening translate compile`).
"""

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from screening.translate_cli import CATALOGUES, extract_arguments

PO = CATALOGUES / "es" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# Translations that are rightly the same words in Spanish.
SAME_IN_SPANISH = {"No", "no", "Error:", "total", "ASQ: “%(question)s”"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    assert CommandLineInterface().run([*extract_arguments(output)[:1], "-q",
                                       *extract_arguments(output)[1:]]) in (0, None)
    with output.open("rb") as handle:
        return {message.id: message for message in read_po(handle) if message.id}


@pytest.fixture(scope="module")
def spanish():
    with PO.open("rb") as handle:
        return read_po(handle, locale="es")


def key(message_id) -> str:
    return message_id[0] if isinstance(message_id, list | tuple) else message_id


def strings(message) -> tuple:
    value = message.string
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def test_every_message_in_the_code_has_a_spanish_translation(template, spanish):
    missing = []
    for message_id in template:
        entry = spanish.get(key(message_id))
        if entry is None or not all(strings(entry)):
            missing.append(key(message_id))
    assert not missing, f"untranslated in {PO.relative_to(Path.cwd())}: {missing}"


def test_no_spanish_entry_is_fuzzy_stale_or_obsolete(template, spanish):
    fuzzy = [key(m.id) for m in spanish if m.id and m.fuzzy]
    stale = [key(m.id) for m in spanish if m.id and m.id not in template]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not stale, f"entries for text that is no longer in the code: {stale}"
    assert not spanish.obsolete, f"obsolete entries: {list(spanish.obsolete)}"


def test_plural_messages_stay_plural(template, spanish):
    for message_id in template:
        entry = spanish[key(message_id)]
        assert isinstance(entry.id, tuple) == isinstance(message_id, tuple), key(message_id)
        if isinstance(message_id, tuple):
            assert entry.id == message_id
            assert len(strings(entry)) == spanish.num_plurals


@pytest.mark.parametrize("pattern", [r"%\(\w+\)s", r"\{\w+\}", r"<[^>]+>"])
def test_placeholders_and_markup_are_kept(spanish, pattern):
    for message in spanish:
        if not message.id:
            continue
        wanted = sorted(re.findall(pattern, key(message.id)))
        for translated in strings(message):
            assert sorted(re.findall(pattern, translated)) == wanted, (message.id, translated)


def test_babel_finds_no_format_errors(spanish):
    problems = [(message.id, errors) for message, errors in spanish.check() if errors]
    assert not problems


def test_translations_are_spanish_not_copies(spanish):
    copies = [message.id for message in spanish
              if message.id and strings(message)[0] == key(message.id)
              and key(message.id).strip() not in SAME_IN_SPANISH]
    assert not copies, f"left in English: {copies}"


def test_compiled_catalogue_matches_the_po(spanish):
    def entries(catalogue):
        return {key(m.id): (tuple(m.id) if isinstance(m.id, list | tuple) else m.id, strings(m))
                for m in catalogue if m.id and not m.fuzzy and all(strings(m))}

    with MO.open("rb") as handle:
        compiled = entries(read_mo(handle))
    expected = entries(spanish)
    assert compiled == expected, "messages.mo is stale: `flask --app screening translate compile`"


def test_catalogue_directory_holds_only_committed_kinds():
    files = {path.relative_to(CATALOGUES).as_posix() for path in CATALOGUES.rglob("*")
             if path.is_file()} - {"messages.pot"}
    assert files == {"es/LC_MESSAGES/messages.po", "es/LC_MESSAGES/messages.mo"}


def test_the_translate_commands_are_registered(runner):
    result = runner.invoke(args=["translate", "--help"])
    assert result.exit_code == 0
    for command in ("extract", "update", "compile", "init"):
        assert command in result.output
