"""A site's look in any frame: its brand colour's stylesheet and links for its contact details.

{% load lms_brand %}
{% brand_stylesheet settings.lms_pages.LmsSiteSettings.brand_colour %}   (after lms.css, in <head>)
<a href="{{ phone|tel_href }}">{{ phone }}</a>
"""

import re

from django import template
from django.utils.html import format_html

from ..brand import stylesheet_url

register = template.Library()

NOT_DIALLED = re.compile(r"[^\d+]")


@register.simple_tag
def brand_stylesheet(colour):
    """A <link> to the stylesheet that sets the brand colour; nothing without a colour."""
    url = stylesheet_url(colour)
    if url is None:
        return ""
    return format_html('<link rel="stylesheet" href="{}">', url)


@register.filter
def tel_href(phone):
    """`tel:` and the number as it is dialled: "74 09 89 85" becomes "tel:74098985"."""
    number = NOT_DIALLED.sub("", phone or "")
    return f"tel:{number}" if number else ""
