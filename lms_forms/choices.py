"""The choices registrations are made of: statuses, sources, age checks and the state of their emails."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeCheck(models.TextChoices):
    NONE = "none", _("Do not ask")
    CONFIRMATION = "confirmation", _("Ask the registrant to confirm the minimum age")
    BIRTH_DATE = "birth_date", _("Ask for the date of birth")


class RegistrationStatus(models.TextChoices):
    PLACE = "place", _("Has a place")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Offered a freed place")
    CANCELLED = "cancelled", _("Cancelled")
    OFFER_EXPIRED = "expired", _("Did not answer the offer in time")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not show up")


# The statuses that hold one of the group's places (an offered place is kept until its deadline).
HOLDS_PLACE = (RegistrationStatus.PLACE, RegistrationStatus.OFFERED, RegistrationStatus.ATTENDED)
# The statuses that end a registration: the same email may register again.
ENDED = (RegistrationStatus.CANCELLED, RegistrationStatus.OFFER_EXPIRED)
# Registrations that hold or wait for a place.
ACTIVE = (*HOLDS_PLACE, RegistrationStatus.WAITING)


class RegistrationSource(models.TextChoices):
    WEB = "web", _("Registration form")
    IMPORT = "import", _("Import")
    ADMIN = "admin", _("Added by a course administrator")


class EmailState(models.TextChoices):
    """Where the last email to the registrant stands; a failure is shown in the participant list."""

    QUEUED = "queued", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class CompanionChoice(models.TextChoices):
    NONE = "none", _("No companion")
    OPTIONAL = "optional", _("The registrant may bring one companion")
