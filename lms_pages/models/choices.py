"""Fixed vocabularies. Their codes are stored and filtered on; their labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OfferingKind(models.TextChoices):
    COURSE = "course", _("Course")
    LEARNING_NETWORK = "learning_network", _("Learning network")
    THEME_EVENING = "theme_evening", _("Theme evening")
    COPING_GROUP = "coping_group", _("Coping group")
    E_LEARNING = "e_learning", _("E-learning")
    OTHER = "other", pgettext_lazy("offering kind", "Other")


class AudienceCode(models.TextChoices):
    PATIENTS = "patients", _("Patients and users")
    NEXT_OF_KIN = "next_of_kin", _("Next of kin")
    PARENTS = "parents", _("Parents")
    CHILDREN_YOUTH = "children_youth", _("Children and youth")
    HEALTH_PERSONNEL = "health_personnel", _("Health personnel")


class Format(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    DIGITAL = "digital", _("Digital")
    HYBRID = "hybrid", _("Hybrid")


class PriceType(models.TextChoices):
    FREE = "free", _("Free")
    FEE = "fee", _("Fixed fee")
    CO_PAYMENT = "co_payment", _("Patient co-payment (egenandel)")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", pgettext_lazy("offering status", "Open for registration")
    FULL = "full", _("Full")
    CLOSED = "closed", pgettext_lazy("offering status", "Registration closed")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class RegistrationMethod(models.TextChoices):
    FORM = "form", _("Registration form on this site")
    REFERRAL = "referral", _("Referral from a doctor")
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")
    COORDINATOR = "coordinator", _("Through a coordinator or employer")
    NONE = "none", _("No registration needed")


class OrganisationKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital or health trust")
    MUNICIPALITY = "municipality", _("Municipality")
    USER_ORGANISATION = "user_organisation", _("User organisation")
    EDUCATION = "education", _("University or college")
    PUBLIC_AUTHORITY = "public_authority", _("Public authority")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class RegistrationState(models.TextChoices):
    """What a visitor can do now; derived from the status and the registration window."""

    OPEN = "open", pgettext_lazy("registration state", "Open for registration")
    NOT_YET_OPEN = "not_yet_open", _("Registration not yet open")
    WAITING_LIST = "waiting_list", _("Full, waiting list open")
    FULL = "full", _("Full")
    CLOSED = "closed", pgettext_lazy("registration state", "Registration closed")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")
    PLANNED = "planned", _("Planned")
    NOT_REQUIRED = "not_required", _("No registration needed")
    # Participants are chosen by a coordinator or an employer; the public cannot sign up.
    RECRUITED = "recruited", _("Recruited through a coordinator or employer")
