"""The layout the project promises: a pure domain, top-level templates and static files."""

import subprocess
import sys
from pathlib import Path

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
    sys.modules.pop("wsgi", None)
    import wsgi

    assert wsgi.app.config["SECRET_KEY"] == "from-the-environment"
