"""The host site's protections: its Content-Security-Policy, a rate limit on admin logins, and /healthz."""

from functools import wraps

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django_ratelimit.core import is_ratelimited

# Wagtail's admin still writes inline scripts (InlinePanel, the date and time pickers) and inline styles,
# so its pages get a policy that allows them; the public pages never do.
ADMIN_POLICY = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy on the admin's pages (and its page previews)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith(reverse("wagtailadmin_home")):
            parts.replace = {**ADMIN_POLICY, **(parts.replace or {})}
        return parts


def rate_limited_login(view):
    """Refuse login attempts beyond a rate, per address and per username, with a page that says why.

    Counts every POST (right or wrong password), so a guessing script is slowed down whether or not it
    changes the username. Settings: LMS_ADMIN_LOGIN_RATE_LIMIT (default "10/m").
    """

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            rate = getattr(settings, "LMS_ADMIN_LOGIN_RATE_LIMIT", "10/m")
            over = [
                is_ratelimited(request, group=f"admin-login-{key}", key=key, rate=rate, increment=True)
                for key in ("ip", "post:username")
            ]
            if any(over):
                return render(request, "429.html", status=429)
        return view(request, *args, **kwargs)

    return limited


def client_ip(request):
    """The visitor's address behind LMS_TRUSTED_PROXIES proxies that append to X-Forwarded-For.

    Each trusted proxy appends the address it was reached from, so the visitor's is that many entries
    from the end; entries before it are whatever the client sent and are not trusted. Without proxies
    (or without the header) it is the connection's own address. Used by the rate limits
    (RATELIMIT_IP_META_KEY), which would otherwise count every visitor as the load balancer.
    """
    proxies = getattr(settings, "LMS_TRUSTED_PROXIES", 0)
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META["REMOTE_ADDR"]


def healthz(request):
    """200 when the database and the cache answer, 503 naming the part that does not; never cached."""
    checks = {"database": _database_answers, "cache": _cache_answers}
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:  # noqa: BLE001 - any failure means "not healthy", which is the answer
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )
    add_never_cache_headers(response)
    return response


def _database_answers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache_answers():
    cache.set("lms-healthz", "ok", 10)
    if cache.get("lms-healthz") != "ok":
        raise RuntimeError("The cache did not keep a value.")
