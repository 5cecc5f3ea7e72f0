"""A confidentiality notice gets a new version number each time a changed text is published."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Revision

from lms_pages.models import ConfidentialityNoticePage, NoticeVersion
from tests.factories import ConfidentialityNoticePageFactory, translation_in

FIRST = "<p>Det som blir sagt i gruppa, blir i gruppa.</p>"
SECOND = "<p>Det som blir sagt i gruppa, blir i gruppa. Det gjelder også etter kurset.</p>"


@pytest.fixture
def notice(catalogue):
    return ConfidentialityNoticePageFactory(
        parent=catalogue, title="Taushetserklæring", body=FIRST, live=False
    )


def publish(notice, body=None):
    """Publish the notice as an editor does: save a revision with the text, then publish it."""
    page = ConfidentialityNoticePage.objects.get(pk=notice.pk)
    if body is not None:
        page.body = body
    revision = page.save_revision()
    revision.publish()
    return revision


def published(notice):
    return ConfidentialityNoticePage.objects.get(pk=notice.pk)


def versions(notice):
    return sorted(NoticeVersion.objects.filter(notice=notice).values_list("number", "body"))


def test_an_unpublished_notice_has_no_version(notice):
    assert published(notice).version == 0
    assert published(notice).effective_date is None
    assert versions(notice) == []


def test_first_publication_is_version_1_in_effect_from_that_norwegian_day(notice, monkeypatch):
    # 23.30 UTC on 1 March is 00.30 on 2 March in Oslo.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2030, 3, 1, 23, 30, tzinfo=datetime.UTC))
    publish(notice)
    page = published(notice)
    assert page.version == 1
    assert page.effective_date == datetime.date(2030, 3, 2)
    assert versions(notice) == [(1, FIRST)]
    (version,) = NoticeVersion.objects.filter(notice=notice)
    assert version.title == "Taushetserklæring"
    assert version.published_at == datetime.datetime(2030, 3, 1, 23, 30, tzinfo=datetime.UTC)


def test_publishing_the_same_text_again_keeps_the_version(notice):
    publish(notice)
    effective = published(notice).effective_date
    publish(notice)
    publish(notice, body=FIRST)
    assert published(notice).version == 1
    assert published(notice).effective_date == effective
    assert versions(notice) == [(1, FIRST)]


def test_a_draft_of_a_changed_text_does_not_change_the_version(notice):
    publish(notice)
    page = published(notice)
    page.body = SECOND
    page.save_revision()
    assert published(notice).version == 1
    assert versions(notice) == [(1, FIRST)]


def test_publishing_a_changed_text_gives_the_next_version(notice):
    publish(notice)
    publish(notice, body=SECOND)
    assert published(notice).version == 2
    assert versions(notice) == [(1, FIRST), (2, SECOND)]


def test_restoring_an_older_revision_bumps_the_version_and_never_lowers_it(notice, get_soup):
    first_revision = publish(notice)
    publish(notice, body=SECOND)

    # The editor opens the first revision in the history and publishes it again.
    restored = Revision.objects.get(pk=first_revision.pk).as_object()
    assert restored.version == 2  # the number belongs to the published history, not to the old draft
    restored.save_revision().publish()

    page = published(notice)
    assert page.body == FIRST
    assert page.version == 3
    assert versions(notice) == [(1, FIRST), (2, SECOND), (3, FIRST)]
    version_line = get_soup(f"{translation_in(page, 'en').url}").select_one(".lms-notice__version")
    assert version_line.get_text(" ", strip=True).startswith("Version 3")
