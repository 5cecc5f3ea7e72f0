"""The production profile, end to end: gunicorn with the production settings on PostgreSQL and Redis.

A throw-away PostgreSQL database is migrated with the production settings, its static files collected,
and the demo content loaded; gunicorn (two workers) serves it as it would behind a load balancer that
ends TLS (requests carry `X-Forwarded-Proto: https`). The test checks /healthz, the security headers,
static files served by whitenoise, and registers through the open demo form: the registration is stored
and its emails wait in the database queue until `manage.py db_worker` sends them.

PostgreSQL only (the suite's run with DATABASE_URL pointing at PostgreSQL); Redis at REDIS_URL or
redis://127.0.0.1:6379/15.
"""

import os
import re
import time
import uuid

import pytest
import requests
from bs4 import BeautifulSoup
from django.conf import settings as django_settings

from tests.production_site import (
    DEFAULT_REDIS_URL,
    FORWARDED,
    manage,
    open_form_path,
    prepare_demo,
    production_environment,
    registration_answers,
    served,
    shell,
    throwaway_database,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="the production profile runs on PostgreSQL (run the suite with DATABASE_URL=postgres://...)",
    ),
]


@pytest.fixture
def environment(tmp_path):
    with throwaway_database(os.environ["DATABASE_URL"], prefix="lms_smoke") as database_url:
        yield production_environment(
            database_url, tmp_path, redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
        )


@pytest.fixture
def site(environment, tmp_path):
    """The migrated demo site served by gunicorn with the production settings; its base URL."""
    prepare_demo(environment)
    with served(environment, tmp_path, workers=2) as served_site:
        yield served_site.url


def test_register_through_gunicorn_with_the_production_settings(site, environment):
    health = requests.get(f"{site}/healthz", headers=FORWARDED, timeout=10)
    assert health.json() == {"status": "ok", "database": "ok", "cache": "ok"}

    # Plain HTTP is sent to HTTPS; behind the balancer, pages carry the security headers.
    assert requests.get(f"{site}/", allow_redirects=False, timeout=10).status_code == 301
    home = requests.get(f"{site}/", headers=FORWARDED, timeout=10)
    assert home.status_code == 200
    assert "includeSubDomains" in home.headers["Strict-Transport-Security"]
    assert "upgrade-insecure-requests" in home.headers["Content-Security-Policy"]
    assert "script-src 'self';" in home.headers["Content-Security-Policy"] + ";"

    # Static files come from whitenoise, with hashed names that may be cached for a long time.
    stylesheet = BeautifulSoup(home.text, "html.parser").find("link", rel="stylesheet")["href"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    static = requests.get(f"{site}{stylesheet}", headers=FORWARDED, timeout=10)
    assert static.status_code == 200
    assert "max-age=315360000" in static.headers["Cache-Control"]

    # Register as a person would: read the form, take a few seconds, send it.
    path = open_form_path(environment)
    assert path, "the demo has an open registration form"
    form_page = requests.get(f"{site}{path}", headers=FORWARDED, timeout=10)
    assert form_page.status_code == 200
    csrf_cookie = form_page.cookies["csrftoken"]
    form = BeautifulSoup(form_page.text, "html.parser").find("form", method="post")
    email = f"kari-{uuid.uuid4().hex[:6]}@example.org"
    time.sleep(3.2)  # the spam check's minimum fill time in production
    response = requests.post(
        f"{site}{path}",
        data=registration_answers(form, email),
        headers={
            **FORWARDED,
            "Origin": site.replace("http://", "https://"),
            "Cookie": f"csrftoken={csrf_cookie}",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)[
        :2000
    ]
    confirmation = requests.get(f"{site}{response.headers['Location']}", headers=FORWARDED, timeout=10)
    assert confirmation.status_code == 200

    stored = shell(
        environment,
        f"from lms_forms.models import Registration; print(Registration.objects.filter(email='{email}').count())",
    )
    assert stored.strip() == "1"

    # The emails wait in the database queue; the worker sends them.
    sent = manage(environment, "db_worker", "--batch", "--no-startup-delay")
    assert f"To: {email}" in sent
    assert "avmelding" in sent  # the cancel link
