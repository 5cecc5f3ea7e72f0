"""Keeps the confidentiality notice's version number in step with its published text."""

from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

from .models import ConfidentialityNoticePage, NoticeVersion


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
