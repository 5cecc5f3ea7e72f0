"""Keeps derived data in step with what editors publish: notice versions and cached catalogue options."""

from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from . import front_cache
from .content_cache import bump_content_version
from .models import (
    ConfidentialityNoticePage,
    Language,
    LmsSiteSettings,
    LmsSiteSettingsTranslation,
    NoticeVersion,
    OfferingPage,
    Organisation,
    Topic,
    Venue,
)
from .rich_text import clean_rich_text_fields

# The apps whose rich text is cleaned on save (a host's own models are left to the host).
RICH_TEXT_APPS = ("lms_pages", "lms_forms")


@receiver(page_published, sender=ConfidentialityNoticePage)
def bump_notice_version(sender, instance, revision, **kwargs):
    """A published text that differs from the last published one becomes the next version."""
    fingerprint = instance.compute_fingerprint()
    with transaction.atomic():
        notice = ConfidentialityNoticePage.objects.select_for_update().get(pk=instance.pk)
        if notice.text_fingerprint == fingerprint:
            return
        now = timezone.now()
        ConfidentialityNoticePage.objects.filter(pk=instance.pk).update(
            version=F("version") + 1, text_fingerprint=fingerprint, effective_date=timezone.localdate(now)
        )
        notice.refresh_from_db(fields=["version", "text_fingerprint", "effective_date"])
        NoticeVersion.objects.create(
            notice=notice, number=notice.version, title=instance.title, body=instance.body, published_at=now
        )
    instance.version = notice.version
    instance.text_fingerprint = notice.text_fingerprint
    instance.effective_date = notice.effective_date


@receiver(page_published, sender=OfferingPage)
def keep_registration_settings_in_step(sender, instance, **kwargs):
    """A translation takes registrations for its original, so it keeps the original's registration
    settings: publishing the original passes them on, and publishing a translation takes them back."""
    from .translations import original_id

    if instance.alias_of_id:
        return  # Wagtail copies the whole original into its aliases
    fields = OfferingPage.registration_fields
    original_pk = original_id(instance)
    if original_pk == instance.pk:
        values = {name: getattr(instance, name) for name in fields}
        OfferingPage.objects.filter(translation_key=instance.translation_key, alias_of__isnull=True).exclude(
            pk=instance.pk
        ).update(**values)
    else:
        values = OfferingPage.objects.filter(pk=original_pk).values(*fields).first()
        OfferingPage.objects.filter(pk=instance.pk).update(**values)
        for name, value in values.items():
            setattr(instance, name, value)


@receiver(pre_save)
def clean_saved_rich_text(sender, instance, **kwargs):
    """Rich text that did not come through the editor keeps only what the editor could have written."""
    if sender._meta.app_label in RICH_TEXT_APPS:
        clean_rich_text_fields(instance)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Venue)
@receiver(post_save, sender=Language)
@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
@receiver(post_delete, sender=Topic)
@receiver(post_delete, sender=Venue)
@receiver(post_delete, sender=Language)
@receiver(post_delete, sender=LmsSiteSettings)
@receiver(post_save, sender=LmsSiteSettingsTranslation)
@receiver(post_delete, sender=LmsSiteSettingsTranslation)
def content_changed(sender, **kwargs):
    bump_content_version()


@receiver(post_save, sender=LmsSiteSettings)
def site_settings_changed(sender, created, **kwargs):
    # Wagtail creates empty settings on first read, in the middle of a page view: that changes
    # nothing visible, and bumping there would throw away what the same request has just cached.
    if not created:
        bump_content_version()


@receiver(post_save, sender=get_image_model())
def logo_changed(sender, instance, created, **kwargs):
    """The cached site settings hold their logo: a new file or focal point for it shows at once."""
    if not created and LmsSiteSettings.objects.filter(logo=instance).exists():
        bump_content_version()


@receiver(post_delete, sender=get_image_model())
def image_deleted(sender, instance, **kwargs):
    # By now the settings that showed it have lost it (SET_NULL, without a signal of their own); images
    # are deleted rarely, so every deletion is taken as a change.
    bump_content_version()


def offerings_that_name(instance):
    """The offerings that show a topic, venue, organiser or language."""
    if isinstance(instance, Topic):
        return OfferingPage.objects.filter(topics=instance)
    if isinstance(instance, Venue):
        return OfferingPage.objects.filter(
            Q(venue=instance) | Q(pk__in=OfferingPage.objects.filter(groups__venue=instance).values("pk"))
        )
    if isinstance(instance, Language):
        return OfferingPage.objects.filter(languages=instance)
    return OfferingPage.objects.filter(
        Q(organiser=instance) | Q(pk__in=OfferingPage.objects.filter(partners=instance).values("pk"))
    )


@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Venue)
@receiver(post_save, sender=Organisation)
def reindex_offerings_that_name(sender, instance, **kwargs):
    """An offering is found by the names of its topics, venues and organisers: renaming one updates the
    search index of the live offerings that show it."""
    ids = list(offerings_that_name(instance).live().values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: _reindex(ids))


def _reindex(ids):
    for offering in OfferingPage.objects.filter(pk__in=ids).specific():
        index.insert_or_update_object(offering)


# The front cache (lms_pages.front_cache): each change purges the addresses it affects once it is committed.


def _purge_on_commit(urls):
    if urls:
        transaction.on_commit(lambda: front_cache.purge(urls), robust=True)


@receiver(pre_save)
def remember_address_and_title(sender, instance, update_fields=None, **kwargs):
    """A page's title and address before it is saved: when either changes, every page below it changes too
    (their breadcrumbs and addresses)."""
    if not isinstance(instance, Page) or instance.pk is None or not front_cache.enabled():
        return
    if update_fields is not None and not {"title", "slug", "url_path"} & set(update_fields):
        return
    instance._front_cache_before = (
        Page.objects.filter(pk=instance.pk).values_list("title", "url_path").first()
    )


def _renamed(page):
    before = getattr(page, "_front_cache_before", None)
    return before is not None and before != (page.title, page.url_path)


@receiver(page_published)
def purge_published_page(sender, instance, alias=False, **kwargs):
    # Wagtail republishes a page's aliases after it, each with `alias=True`: the original's purge has
    # named every version already.
    if front_cache.enabled() and not alias:
        _purge_on_commit(front_cache.urls_for_page_change(instance, with_descendants=_renamed(instance)))


@receiver(page_unpublished)
def purge_unpublished_page(sender, instance, **kwargs):
    if front_cache.enabled():
        _purge_on_commit(front_cache.urls_for_page_change(instance, with_descendants=True))


@receiver(pre_page_move)
def purge_page_before_move(sender, instance, **kwargs):
    """The addresses it leaves: the page and everything below it, and the pages that listed it there."""
    if front_cache.enabled():
        _purge_on_commit(front_cache.urls_for_page_change(instance, with_descendants=True))


@receiver(post_page_move)
def purge_page_after_move(sender, instance, **kwargs):
    if front_cache.enabled():
        page = Page.objects.get(pk=instance.pk).specific_deferred
        _purge_on_commit(front_cache.urls_for_page_change(page, with_descendants=True))


@receiver(pre_delete, sender=Page)
def purge_deleted_page(sender, instance, **kwargs):
    # Before the rows go, while the page's address and its place in the tree can still be read. Each page
    # below it is deleted, and purged, in its own turn.
    if front_cache.enabled():
        _purge_on_commit(front_cache.urls_for_page_change(instance.specific_deferred))


@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Venue)
@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=Language)
@receiver(pre_delete, sender=Topic)
@receiver(pre_delete, sender=Venue)
@receiver(pre_delete, sender=Organisation)
@receiver(pre_delete, sender=Language)
def purge_pages_that_name(sender, instance, **kwargs):
    if front_cache.enabled():
        _purge_on_commit(front_cache.urls_for_vocabulary(offerings_that_name(instance)))


@receiver(post_save, sender=LmsSiteSettings)
@receiver(post_save, sender=LmsSiteSettingsTranslation)
@receiver(post_delete, sender=LmsSiteSettingsTranslation)
def purge_site(sender, instance, created=False, **kwargs):
    """The header and footer of every page show the site settings."""
    if not front_cache.enabled() or (sender is LmsSiteSettings and created):
        return
    site_settings = instance if sender is LmsSiteSettings else instance.site_settings
    _purge_on_commit(front_cache.urls_for_site(site_settings.site))


@receiver(post_save, sender=get_image_model())
@receiver(post_save, sender=get_document_model())
@receiver(pre_delete, sender=get_image_model())
@receiver(pre_delete, sender=get_document_model())
def purge_pages_with_media(sender, instance, created=False, **kwargs):
    """A new file, focal point, title or alternative text shows on the pages that use it; a logo on every
    page of its site."""
    if not front_cache.enabled() or created:
        return
    urls = front_cache.urls_for_media(instance)
    if sender is get_image_model():
        for site_settings in LmsSiteSettings.objects.filter(logo=instance).select_related("site"):
            urls |= front_cache.urls_for_site(site_settings.site)
    _purge_on_commit(urls)
