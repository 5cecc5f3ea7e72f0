"""The README's "Add to an existing Wagtail site" steps, followed on a project made by `wagtail start`."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

HOST_SETTINGS = """

# Added by following the README: "Add to an existing Wagtail site".
INSTALLED_APPS += [
    "lms_pages",
    "lms_forms",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail_modeladmin",
    "import_export",
]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("wagtail.contrib.settings.context_processors.settings")
LMS_BASE_TEMPLATE = "base.html"
import os
LMS_ENCRYPTION_KEYS = [os.environ["LMS_ENCRYPTION_KEYS"]]
"""

SMOKE_SCRIPT = textwrap.dedent(
    """
    import datetime, json
    from bs4 import BeautifulSoup
    from django.test import Client
    from django.utils import timezone
    from wagtail.models import Page
    from lms_pages.models import CataloguePage, GroupSession, OfferingGroup, OfferingPage

    home = Page.objects.get(depth=2).specific
    catalogue = home.add_child(instance=CataloguePage(title="Kurs og tilbud", slug="kurs"))
    catalogue.save_revision().publish()
    offering = OfferingPage(title="Mestringstreff", slug="mestringstreff", introduction="For alle.", status="open")
    catalogue.add_child(instance=offering)
    group = OfferingGroup(name="Høst", places=10)
    group.sessions.add(GroupSession(start=timezone.now() + datetime.timedelta(days=20)))
    offering.groups.add(group)
    offering.save_revision().publish()
    from lms_forms.models import RegistrationFormPage
    offering.add_child(instance=RegistrationFormPage(title="Påmelding", slug="pamelding"))

    client = Client()
    result = {}
    for name, url in [("catalogue", "/kurs/"), ("offering", "/kurs/mestringstreff/"), ("ics", "/kurs/mestringstreff/kalender/"), ("form", "/kurs/mestringstreff/pamelding/")]:
        response = client.get(url)
        result[name] = {"status": response.status_code}
        if response["Content-Type"].startswith("text/html"):
            soup = BeautifulSoup(response.content, "html.parser")
            result[name]["h1"] = soup.h1.get_text(strip=True) if soup.h1 else None
            result[name]["titles"] = [a.get_text(strip=True) for a in soup.select(".lms-card__title a")]
            result[name]["form"] = soup.select_one("form.lms-form") is not None
    print("RESULT " + json.dumps(result))
    """
)


def run(args, cwd, env):
    completed = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert completed.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


@pytest.mark.slow
def test_readme_steps_work_on_a_fresh_wagtail_project(tmp_path):
    wagtail = Path(sys.executable).with_name("wagtail")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "hostsite.settings.dev"
    env["LMS_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    run([wagtail, "start", "hostsite", str(tmp_path)], cwd=tmp_path, env=env)

    settings_file = tmp_path / "hostsite" / "settings" / "base.py"
    settings_file.write_text(settings_file.read_text() + HOST_SETTINGS)

    run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=tmp_path, env=env)
    run([sys.executable, "manage.py", "check", "--fail-level", "WARNING"], cwd=tmp_path, env=env)
    output = run([sys.executable, "manage.py", "shell", "-c", SMOKE_SCRIPT], cwd=tmp_path, env=env)

    result = json.loads(output.split("RESULT ", 1)[1])
    assert result["catalogue"] == {
        "status": 200,
        "h1": "Kurs og tilbud",
        "titles": ["Mestringstreff"],
        "form": False,
    }
    assert result["offering"]["status"] == 200
    assert result["offering"]["h1"] == "Mestringstreff"
    assert result["ics"] == {"status": 200}
    assert result["form"]["status"] == 200
    assert result["form"]["h1"] == "Påmelding"
    assert result["form"]["form"] is True


def test_the_distribution_lists_every_package_of_the_apps():
    """pyproject.toml names its packages one by one; a package left out is missing from the wheel."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(root).parts).replace("site", "lms_site", 1)
        if path.parts[len(root.parts)] == "site"
        else ".".join(path.parent.relative_to(root).parts)
        for top in ("lms_pages", "lms_forms", "site")
        for path in (root / top).rglob("__init__.py")
    }
    assert found - listed == set()
