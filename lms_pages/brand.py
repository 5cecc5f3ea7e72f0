"""The stylesheet that gives a site's brand colour to the custom properties of lms.css.

Why a stylesheet of its own: the public pages' Content-Security-Policy allows styles from the site's own
address only (`style-src 'self'`), so a `<style>` element in the page would be blocked. A nonce would let
one through, but a nonce must be new on every response, and the pages are built to be kept by a shared
cache. So the colour travels in the stylesheet's address instead (`/lms-brand/003a73.css`): the
response depends on nothing but that address, needs no database, and may be kept for a year by every
cache. A new colour is a new address, which the page links to as soon as the settings are saved.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .colours import darker, validate_brand_colour

# Part of every link to the stylesheet: raise it when the rules below change, so that caches holding
# the old rules for a colour are not asked again.
STYLESHEET_VERSION = 1
ONE_YEAR = 365 * 24 * 60 * 60
URL_NAME = "lms_brand_stylesheet"


def brand_css(colour):
    """The rules for a valid brand colour written #rrggbb."""
    colour = colour.lower()
    return (
        ":root {\n"
        f"    --lms-brand: {colour};\n"
        f"    --lms-accent: {colour};\n"
        f"    --lms-accent-dark: {darker(colour)};\n"
        "}\n"
    )


def stylesheet_url(colour):
    """The stylesheet's address for a brand colour, or None when the colour is empty or invalid, or the
    site has not included lms_pages.urls."""
    if not colour:
        return None
    try:
        validate_brand_colour(colour)
        path = reverse(URL_NAME, kwargs={"colour": colour[1:].lower()})
    except (ValidationError, NoReverseMatch):
        return None
    return f"{path}?v={STYLESHEET_VERSION}"


@require_safe
def brand_stylesheet(request, colour):
    # The address takes lower case only (lms_pages.urls), so that one colour has one address in caches.
    try:
        validate_brand_colour(f"#{colour}")
    except ValidationError as error:
        raise Http404 from error
    response = HttpResponse(brand_css(f"#{colour}"), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    return response
