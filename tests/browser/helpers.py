"""Shared by the browser tests: the demo's pages, axe, filling the registration form, reading emails."""

import os
import re
from pathlib import Path

from django.core import mail

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("LMS_REQUIRE_BROWSER") == "1"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

# The language prefixes of the public site: bokmål at /, nynorsk at /nn/, English at /en/, Northern Sami
# at /se/.
LANGUAGES = {"nb": "", "nn": "/nn", "en": "/en", "se": "/se"}


def path_in(language, path):
    """The address in `language` of the demo page at the bokmål address `path` (with any sub-route or
    query after the page's own address): its translation's own address, or its alias's."""
    from wagtail.models import Locale, Page, Site

    if language == "nb":
        return path
    path, _, query = path.partition("?")
    segments = [segment for segment in path.strip("/").split("/") if segment]
    locale = Locale.objects.get(language_code=language)
    default_site = Site.objects.get(is_default_site=True)

    def path_on_default_site(page):
        # Page.url is a full URL once there are two sites; these paths are the default site's.
        parts = page.get_url_parts()
        return parts[2] if parts and parts[0] == default_site.pk else None

    for end in range(len(segments), -1, -1):
        own = "/" + "".join(f"{segment}/" for segment in segments[:end])
        page = next(
            (
                page
                for page in Page.objects.filter(locale__language_code="nb", depth__gt=1)
                if path_on_default_site(page) == own
            ),
            None,
        )
        if page is not None:
            rest = "".join(f"{segment}/" for segment in segments[end:])
            return path_on_default_site(page.get_translation(locale)) + rest + (f"?{query}" if query else "")
    raise ValueError(f"no demo page at {path}")


# WCAG 2.1 A and AA, and the 24 × 24 px minimum for tap targets (WCAG 2.2's 2.5.8, which axe tags wcag22aa).
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"target-size": {"enabled": True}},
}

# Demo pages (their bokmål slugs; the same paths serve nynorsk and English under their prefixes).
OPEN_OFFERING = "/nar-hodet-blir-en-pine/"
OPEN_FORM = "/nar-hodet-blir-en-pine/pamelding/"
NOTICE = "/nar-hodet-blir-en-pine/taushetsplikt/"
BROCHURE = "/nar-hodet-blir-en-pine/informasjonsbrosjyre/"
FULL_FORM = "/mestringstreff/pamelding/"
NOT_YET_OPEN_FORM = "/grunnkurs-i-helsepedagogikk/pamelding/"
PROGRAMME = "/kurs-i-helsepedagogikk/kursprogram/"
INFORMATION = "/hva-er-laerings-og-mestringstilbud/"


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {node['target']}")
            lines.append(f"    html:   {node['html'][:300]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("    " + summary.replace("\n", "\n    "))
    return "\n".join(lines)


def axe_violations(page):
    """Run axe-core on the page as it stands with the WCAG 2.1 A and AA rules; return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=WCAG_21_AA).response["violations"]


def assert_no_axe_violations(page, label=""):
    """Assert that axe finds no WCAG 2.1 A/AA violation, listing each one's rule, help and nodes."""
    violations = axe_violations(page)
    assert not violations, (
        f"axe: {len(violations)} WCAG 2.1 A/AA violation(s) on {label or page.url}:\n{describe_violations(violations)}"
    )


# Forms and emails ----------------------------------------------------------------------------------


def fill_registration(page, *, name, email, group, phone="", birth_date="17.05.1980"):
    """Fill the registration form as a person would, answering whatever this form asks."""
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    if phone and page.locator("#id_phone").count():
        page.locator("#id_phone").fill(phone)
    if page.locator("#id_birth_date").count():
        page.locator("#id_birth_date").fill(birth_date)
    page.locator("fieldset#id_group").get_by_label(re.compile(rf"^{re.escape(group)}(\s|$)")).check()
    # Every required checkbox: the age confirmation, the notice, health consent and the form's own.
    for checkbox in page.locator(".lms-form input[type=checkbox][required]").all():
        checkbox.check()


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def link_in(message, pattern):
    match = re.search(pattern, message.body)
    assert match, f"no link matching {pattern!r} in the email:\n{message.body}"
    return match.group(0)


CANCEL_LINK = r"https?://\S+/avmelding/([\w-]+)/"


# The Wagtail admin ---------------------------------------------------------------------------------


def log_in_to_admin(page, site, username, password):
    """Log in through the admin's login form, as a person would, and land on the dashboard."""
    page.goto(site("/admin/login/"))
    page.get_by_label("Brukernavn").fill(username)
    # Wagtail's login form leaves its password label untranslated ("Password") in bokmål.
    page.get_by_label(re.compile(r"^\s*(Passord|Password)\b")).fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(site("/admin/"))


def admin_field(scope, label):
    """The form control labelled `label` within `scope` (an editor's section, group or block).

    The admin also names its field sections and their anchor links after the label; only the control
    itself is wanted.
    """
    # A label's text keeps the whitespace of its template around the name and the required mark.
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")).and_(
        scope.locator("input, select, textarea")
    )


def publish_in_editor(page, title):
    """Publish from the page editor's action menu and wait for Wagtail's confirmation."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Flere handlinger").click()
    page.get_by_role("button", name="Publiser").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text(title)
    assert "publisert" in messages.inner_text(), messages.inner_text()
