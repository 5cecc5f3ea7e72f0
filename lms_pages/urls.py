"""Addresses the extension serves outside the page tree; a host site includes them without a prefix."""

from django.urls import re_path

from .brand import URL_NAME, brand_stylesheet

urlpatterns = [
    re_path(r"^lms-brand/(?P<colour>[0-9a-f]{6})\.css$", brand_stylesheet, name=URL_NAME),
]
