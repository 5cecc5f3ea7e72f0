"""The demo site run as production runs it: a throw-away PostgreSQL database migrated with the production
settings, static files collected, the demo content loaded, and gunicorn serving it with Redis as the
cache, with Varnish in front where a test asks for it. Used by the production smoke test, the Varnish test,
the front cache's benchmark and the load test.

    with throwaway_database(server_url) as database_url, served_demo(database_url, folder) as site:
        requests.get(site.url + "/healthz", headers=FORWARDED)
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from cryptography.fernet import Fernet

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
# As a load balancer that ends TLS passes requests on.
FORWARDED = {"X-Forwarded-Proto": "https"}


class CommandFailed(Exception):
    pass


def database_url_named(server_url, name):
    """`server_url` (a postgres:// URL) with its database name replaced."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(server_url, prefix="lms_site"):
    """A new, empty database on the server of `server_url`, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    maintenance = database_url_named(server_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url_named(server_url, name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(database_url, folder, redis_url=DEFAULT_REDIS_URL, **overrides):
    """The environment variables production needs, with fresh secrets and files under `folder`."""
    return {
        # Not what the browser tests set for themselves (the deploy check refuses it).
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "lms_site.settings.production",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LMS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_CACHE_PREFIX": f"site-{uuid.uuid4().hex[:8]}",
        "DJANGO_STATIC_ROOT": str(Path(folder) / "static"),
        "DJANGO_MEDIA_ROOT": str(Path(folder) / "media"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(environment, *arguments, settings=None):
    """Run manage.py with `environment`; its standard output. CommandFailed says why it failed."""
    command = [sys.executable, "manage.py", *arguments]
    if settings:
        command.append(f"--settings={settings}")
    result = subprocess.run(  # noqa: S603 - the command is this module's own
        command, cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise CommandFailed(f"manage.py {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def shell(environment, code):
    """Run Python code in `manage.py shell`; its standard output."""
    return manage(environment, "shell", "--no-imports", "-c", code)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Site:
    url: str
    environment: dict
    log_path: Path


def prepare_demo(environment):
    """Migrate, collect the static files and load the demo content, as a deployment would."""
    manage(environment, "migrate", "--no-input")
    manage(environment, "collectstatic", "--no-input")
    # The demo's content comes from the `fixtures` app, which only the demo settings install.
    manage(environment, "load_demo", "--no-admin", settings="lms_site.settings.dev")


@contextmanager
def served(environment, folder, workers=2, timeout=60):
    """gunicorn serving the site with `environment` until the block ends; yields a Site."""
    port = free_port()
    log_path = Path(folder) / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - the command is this module's own
            [
                str(BIN / "gunicorn"),
                "lms_site.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        site = Site(f"http://127.0.0.1:{port}", environment, log_path)
        try:
            _wait_until_healthy(site, server, timeout)
            yield site
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _wait_until_healthy(site, server, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{site.url}/healthz", headers=FORWARDED, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or still starting its workers
        if server.poll() is not None or time.monotonic() > deadline:
            raise CommandFailed(f"gunicorn did not become healthy:\n{site.log_path.read_text()}")
        time.sleep(0.3)


def serve_site_at_port(environment, port):
    """Give the demo's default site the address visitors reach it on (the front's, 127.0.0.1), so its
    pages' addresses, and the purges, name the front."""
    shell(
        environment,
        "from wagtail.models import Site\n"
        f"Site.objects.filter(is_default_site=True).update(hostname='127.0.0.1', port={port})",
    )


@contextmanager
def varnish(backend_url, port, folder):
    """varnishd with the project's configuration in front of gunicorn at `backend_url`, on `port`."""
    vcl = (PROJECT_DIR / "docs" / "varnish.vcl").read_text()
    vcl = vcl.replace('.port = "8000"', f'.port = "{urlsplit(backend_url).port}"')
    vcl_path = Path(folder) / "lms.vcl"
    vcl_path.write_text(vcl)
    work = Path(folder) / "varnish"
    log_path = Path(folder) / "varnish.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - the command is this module's own
            # In the foreground, as the user that runs the tests, without a management port.
            [VARNISHD, "-F", "-j", "none", "-n", str(work), "-a", f"127.0.0.1:{port}", "-f", str(vcl_path)]
            + ["-s", "malloc,64m", "-T", "none"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", headers=FORWARDED, timeout=5)
                    break
                except requests.ConnectionError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise CommandFailed(f"varnishd did not start:\n{log_path.read_text()}") from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def open_form_path(environment):
    """The URL path, on the default site, of the demo's first registration form there that is open."""
    code = (
        "from wagtail.models import Site\n"
        "from lms_forms.models import RegistrationFormPage\n"
        "site = Site.objects.get(is_default_site=True)\n"
        "for page in RegistrationFormPage.objects.live().descendant_of(site.root_page).order_by('path'):\n"
        "    if page.offering.registration_state() == 'open':\n"
        "        print(page.relative_url(site)); break\n"
    )
    return shell(environment, code).strip()


def registration_answers(form, email):
    """Answers for every field of a registration form (a BeautifulSoup <form>), as a person fills it in."""
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name, kind = field.get("name"), field.get("type", "")
        if not name or kind == "submit":
            continue
        if kind == "hidden":
            data[name] = field.get("value", "")
        elif kind == "radio":
            data.setdefault(name, field["value"])
        elif kind == "checkbox":
            if field.has_attr("required"):
                data[name] = field.get("value", "on")
        elif field.name == "select":
            # A browser sends the chosen option, or the first: an answer even when no choice is marked
            # required; a required one with an empty first option gets the first real choice.
            options = field.find_all("option")
            chosen = next((option for option in options if option.has_attr("selected")), None)
            values = [option.get("value", "") for option in options]
            value = chosen.get("value", "") if chosen is not None else (values[0] if values else "")
            if not value and field.has_attr("required"):
                value = next((choice for choice in values if choice), "")
            if options and not field.has_attr("multiple"):
                data[name] = value
        else:
            data[name] = {
                "name": "Kari Nordmann",
                "email": email,
                "phone": "912 34 567",
                "birth_date": "17.05.1980",
                "website": "",  # the honeypot stays empty
            }.get(name, "Svar" if field.has_attr("required") else "")
    return data
