"""The layout the project promises: a pure domain, top-level templates and static files."""

import subprocess
import sys
from pathlib import Path

from tests.helpers import ENCRYPTION_KEY

ROOT = Path(__file__).parents[1]
WEB_PACKAGES = ("flask", "flask_wtf", "wtforms", "sqlalchemy", "flask_sqlalchemy", "werkzeug",
                "jinja2")


def test_domain_imports_only_the_standard_library():
    script = (
        "import sys, pkgutil, importlib, screening.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, 'screening.domain.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {WEB_PACKAGES!r}]\n"
        "print(','.join(bad))\n"
    )
    # screening/__init__ imports Flask, so load the domain package on its own path.
    env_path = str(ROOT)
    probe = subprocess.run(
        [sys.executable, "-c",
         "import importlib.util, sys, types\n"
         "pkg = types.ModuleType('screening'); pkg.__path__ = ['screening']\n"
         "sys.modules['screening'] = pkg\n" + script],
        cwd=env_path, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == ""


def test_templates_and_static_are_at_the_top_level(app):
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.static_folder) == ROOT / "static"
    assert (ROOT / "templates" / "_fields.html").is_file()


def test_wsgi_exposes_app(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", "sqlite://")
    monkeypatch.setenv("FLASK_ANSWERS_ENCRYPTION_KEY", ENCRYPTION_KEY)
    sys.modules.pop("wsgi", None)
    import wsgi

    assert wsgi.app.config["SECRET_KEY"] == "from-the-environment"


def _screening_modules() -> list[str]:
    import pkgutil

    import screening

    return ["screening", *(m.name for m in pkgutil.walk_packages(screening.__path__,
                                                                  "screening."))]


def test_the_web_layer_is_a_package_per_area_with_no_module_named_db():
    modules = set(_screening_modules())
    assert {"screening.patient", "screening.staff", "screening.fhir",
            "screening.domain"} <= modules
    assert not any(name.rsplit(".", 1)[-1] == "db" for name in modules)


def test_no_module_is_hidden_behind_an_object_of_its_own_name():
    import importlib

    for name in _screening_modules():
        if "." not in name:
            continue
        parent, child = name.rsplit(".", 1)
        module = importlib.import_module(name)
        assert getattr(importlib.import_module(parent), child) is module, name


def test_there_is_no_import_cycle_inside_screening():
    import grimp

    graph = grimp.build_graph("screening", cache_dir=None)
    modules = sorted(graph.modules)
    cycles = [
        (a, b) for a in modules for b in graph.find_modules_directly_imported_by(a)
        if a != b and graph.find_shortest_chain(importer=b, imported=a) is not None
    ]
    assert cycles == []


def test_library_internals_are_not_copied():
    """Sessions, CSRF tokens and connections go through Flask, Flask-WTF and SQLAlchemy."""
    source = "\n".join(p.read_text() for p in (ROOT / "screening").rglob("*.py"))
    for internal in ("itsdangerous", "URLSafeTimedSerializer", "first_row", ".detach()",
                     "raw_connection().dbapi", "dump_payload"):
        assert internal not in source, internal
