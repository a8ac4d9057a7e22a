"""The domain takes its language as a parameter and hands back finished strings.

`summary.build(answers, as_of, language)` words every label while it builds; reading the result
later, outside any language block (as a template does), never translates it again. A supported
language without its compiled catalogue stops start-up instead of printing English sentences.
"""

import ast
from datetime import date
from pathlib import Path

import pytest

from screening import create_app
from screening.domain import asq, phrases, summary

SCREENING = Path(__file__).resolve().parents[2] / "screening"
AS_OF = date(2025, 3, 1)
# PHQ-9 with item 9 above 0, and a non-acute positive ASQ.
ANSWERS = {
    **{f"phq9_{n}": "2" for n in range(1, 10)},
    "asq_1": "yes", "asq_2": "no", "asq_3": "no", "asq_4": "no", "asq_5": "no",
    "episode_range": "gt2y", "earlier_episodes": "no", "augmentation": ["none"],
    "psychotherapy": "no", "ect": "no", "tms": "no", "ketamine_before": "no",
}


def test_spanish_labels_are_worded_at_build_time_not_when_read():
    built = summary.build(ANSWERS, AS_OF, "es")

    # Read outside any language block, as the template reads it.
    assert phrases.current() == "en"
    assert built.safety.asq.category == asq.NON_ACUTE_POSITIVE
    assert built.safety.asq.label == "ASQ: resultado positivo, no agudo"
    assert built.treatment.maudsley.dimensions[0][0] == "Duración del episodio actual"


def test_a_result_keeps_its_language_inside_another_language_block():
    english = summary.build(ANSWERS, AS_OF)
    spanish = summary.build(ANSWERS, AS_OF, "es")
    with phrases.in_language("es"):
        assert english.safety.asq.label == "ASQ positive screen, non-acute"
        assert english.treatment.maudsley.dimensions[0][0] == "Duration of current episode"
    with phrases.in_language("en"):
        assert spanish.safety.asq.label == "ASQ: resultado positivo, no agudo"


def test_the_web_layer_never_sets_the_domain_language():
    """Only the domain's own entry points (which take `language`) enter phrases.in_language."""
    offenders = []
    for path in SCREENING.rglob("*.py"):
        if "domain" in path.relative_to(SCREENING).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            by_attribute = isinstance(node, ast.Attribute) and node.attr == "in_language" \
                and isinstance(node.value, ast.Name) and node.value.id == "phrases"
            by_import = isinstance(node, ast.ImportFrom) and (node.module or "").endswith(
                "phrases") and any(alias.name == "in_language" for alias in node.names)
            if by_attribute or by_import:
                offenders.append(f"{path.relative_to(SCREENING)}:{node.lineno}")
    assert offenders == []


def test_the_shipped_catalogues_are_all_there():
    phrases.check_catalogues()


def test_a_missing_catalogue_is_an_error_naming_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(phrases, "TRANSLATIONS_DIR", tmp_path)
    expected = tmp_path / "es" / "LC_MESSAGES" / "messages.mo"
    with pytest.raises(RuntimeError, match="is missing") as raised:
        phrases.check_catalogues()
    assert str(expected) in str(raised.value)


def test_a_missing_catalogue_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setattr(phrases, "TRANSLATIONS_DIR", tmp_path / "translations")
    config = {"TESTING": True, "SECRET_KEY": "test-secret",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"}
    with pytest.raises(RuntimeError, match="translation catalogue"):
        create_app(config)
