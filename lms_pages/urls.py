"""Addresses the extension serves outside the page tree; a host site includes them without a prefix."""

from django.urls import path, re_path

from .brand import URL_NAME, brand_stylesheet
from .feed import FEED_URL_NAME, offerings_feed
from .feed_schema import openapi_schema

urlpatterns = [
    re_path(r"^lms-brand/(?P<colour>[0-9a-f]{6})\.css$", brand_stylesheet, name=URL_NAME),
    # The site's offerings for regional catalogues (lms_pages.feed), and its OpenAPI description.
    path("feed/offerings/", offerings_feed, name=FEED_URL_NAME),
    path("feed/openapi.json", openapi_schema, name="lms_offerings_feed_schema"),
]
