"""Response headers, the admin login's rate limit, /healthz and the production settings' deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent


def directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


# Headers


@pytest.mark.django_db
class TestHeaders:
    def test_public_pages_allow_no_inline_script_and_no_other_origin(self, catalogue, client):
        response = client.get(catalogue.url)
        assert response.status_code == 200
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]

    def test_public_pages_have_no_inline_script_or_style(self, catalogue, get_soup):
        # What the policy promises: nothing inline that a browser would run or apply.
        soup = get_soup(catalogue.url)
        scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
        assert [s for s in scripts if not s.get("src")] == []
        assert soup.find_all("style") == []
        assert soup.find_all(style=True) == []
        assert [
            tag.name for tag in soup.find_all(lambda tag: any(a.startswith("on") for a in tag.attrs))
        ] == []

    def test_the_admin_gets_the_policy_wagtail_needs(self, admin_client):
        response = admin_client.get("/admin/")
        assert response.status_code == 200
        policy = directives(response)
        assert "'unsafe-inline'" in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"]

    def test_other_security_headers(self, catalogue, client):
        response = client.get(catalogue.url)
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions

    def test_the_500_page_needs_nothing_inline(self, rf):
        from django.views.defaults import server_error

        html = server_error(rf.get("/")).content.decode()
        assert "<style" not in html
        assert "style=" not in html
        assert 'rel="stylesheet"' in html


# Admin login


@pytest.mark.django_db
class TestAdminLoginRateLimit:
    @pytest.fixture
    def editor(self):
        return get_user_model().objects.create_user(
            "redaktor", "redaktor@example.org", "riktig-passord", is_superuser=True
        )

    @override_settings(LMS_ADMIN_LOGIN_RATE_LIMIT="3/m")
    def test_attempts_beyond_the_limit_are_refused_with_a_clear_page(self, client, editor):
        for _attempt in range(3):
            response = client.post("/admin/login/", {"username": "redaktor", "password": "feil"})
            assert response.status_code == 200  # the login form again, with its error
        response = client.post("/admin/login/", {"username": "redaktor", "password": "riktig-passord"})
        assert response.status_code == 429
        assert "For mange forsøk" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # Reading the login page is not limited.
        assert client.get("/admin/login/").status_code == 200

    @override_settings(LMS_ADMIN_LOGIN_RATE_LIMIT="3/m")
    def test_the_limit_also_counts_per_username_across_addresses(self, client, editor):
        for number in range(3):
            client.post(
                "/admin/login/", {"username": "redaktor", "password": "feil"}, REMOTE_ADDR=f"10.0.0.{number}"
            )
        response = client.post(
            "/admin/login/", {"username": "redaktor", "password": "feil"}, REMOTE_ADDR="10.0.0.99"
        )
        assert response.status_code == 429

    def test_a_right_password_within_the_limit_logs_in(self, client, editor):
        response = client.post("/admin/login/", {"username": "redaktor", "password": "riktig-passord"})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(editor.pk)


# The visitor's address behind the load balancer


class TestClientIp:
    @pytest.mark.parametrize(
        ("proxies", "forwarded", "expected"),
        [
            (0, "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is the client's word only
            (1, "", "10.0.0.1"),
            (1, "203.0.113.9", "203.0.113.9"),
            (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the first entry was sent by the client
            (2, "198.51.100.66, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
            (3, "203.0.113.9", "203.0.113.9"),
        ],
    )
    def test_the_address_a_trusted_proxy_appended(self, rf, settings, proxies, forwarded, expected):
        from lms_site.security import client_ip

        settings.LMS_TRUSTED_PROXIES = proxies
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected

    @override_settings(LMS_TRUSTED_PROXIES=1, LMS_ADMIN_LOGIN_RATE_LIMIT="2/m")
    @pytest.mark.django_db
    def test_the_rate_limit_counts_each_visitor_behind_the_balancer(self, client):
        def attempt(visitor, username):
            return client.post(
                "/admin/login/",
                {"username": username, "password": "feil"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=visitor,
            ).status_code

        assert [attempt("203.0.113.1", f"bruker{n}") for n in range(3)] == [200, 200, 429]
        assert attempt("203.0.113.2", "bruker9") == 200


# /healthz


@pytest.mark.django_db
class TestHealthz:
    def test_ok_when_the_database_and_the_cache_answer(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
        assert "no-cache" in response["Cache-Control"]

    def test_503_naming_the_database_when_it_fails(self, client, monkeypatch):
        def broken_cursor(*args, **kwargs):
            raise connection.OperationalError("server closed the connection")

        monkeypatch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "error", "cache": "ok"}

    def test_503_naming_the_cache_when_it_fails(self, client, monkeypatch):
        from django.core.cache import cache

        def broken_set(*args, **kwargs):
            raise ConnectionError("Redis is down")

        monkeypatch.setattr(cache, "set", broken_set)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


# Production settings


PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "lms_site.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-key-for-the-check-" + "y" * 20,
    "DJANGO_ALLOWED_HOSTS": "lms.example.no",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "LMS_ENCRYPTION_KEYS": "m1iH8_E4ZvY4p7xA3hKQ2Ck7aY0s2nWg1qfXlR6o9bE=",
}


def outside_environment():
    """This process's environment without what the browser tests set for themselves."""
    return {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_check(environment):
    return subprocess.run(  # noqa: S603 - the command is this file's own
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_check({**outside_environment(), **PRODUCTION_ENVIRONMENT})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "REDIS_URL", "LMS_ENCRYPTION_KEYS"]
)
def test_production_refuses_to_start_without_its_settings(missing):
    environment = {**outside_environment(), **PRODUCTION_ENVIRONMENT}
    del environment[missing]
    result = run_check(environment)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set in production." in result.stderr
