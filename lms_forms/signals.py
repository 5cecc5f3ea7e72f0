"""Wiring: the sessions an editor publishes tell their participants when they move or are cancelled."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from lms_pages.models import GroupSession

from .services.session_changes import session_deleting, session_saving


@receiver(pre_save, sender=GroupSession)
def tell_of_a_changed_session(sender, instance, raw=False, **kwargs):
    if not raw:
        session_saving(instance)


@receiver(pre_delete, sender=GroupSession)
def tell_of_a_cancelled_session(sender, instance, **kwargs):
    session_deleting(instance)
