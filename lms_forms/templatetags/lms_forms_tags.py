"""Numbers and prices in the forms' templates, as the active language writes them (lms_pages.formats).

{% load lms_forms_tags %}
{{ group.places_left|lms_number }}      "1 200" in bokmål and nynorsk, "1,200" in English
{{ amount|lms_price }}                  "1 500 kr" / "NOK 1,500"
"""

from django import template

from lms_pages.formats import local_number, local_price

register = template.Library()


@register.filter
def lms_number(value):
    return local_number(value)


@register.filter
def lms_price(value):
    return local_price(value)
