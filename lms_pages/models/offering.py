"""The offering: one course, learning network or coping group, with its groups and their sessions."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, get_page_models
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES, ContentStreamBlock
from ..panels import OccupancyPanel
from ..places import has_room
from .base import LmsPageMixin, without_restricted
from .choices import Format, OfferingKind, PriceType, RegistrationMethod, RegistrationState, Status
from .snippets import originals

# An address a visitor could follow into a meeting: never in public text about how to join.
MEETING_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)

PLACE_SEARCH_FIELDS = [
    index.SearchField("name"),
    index.SearchField("municipality"),
    index.AutocompleteField("name"),
    index.AutocompleteField("municipality"),
]
ORGANISATION_SEARCH_FIELDS = [index.SearchField("name"), index.AutocompleteField("name")]


class OfferingPage(LmsPageMixin, RoutablePageMixin, Page):
    """A learning and coping offering, with everything a visitor needs to decide whether to take part."""

    # Content
    kind = models.CharField(
        _("kind of offering"), max_length=32, choices=OfferingKind.choices, default=OfferingKind.COURSE
    )
    introduction = models.TextField(
        _("introduction"), help_text=_("Two or three sentences shown at the top and in the catalogue.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(
        _("alternative text"),
        max_length=250,
        blank=True,
        help_text=_(
            "What the image shows, for those who cannot see it. Empty: the image's description in the library."
        ),
    )
    image_decorative = models.BooleanField(
        _("the image is decorative"),
        default=False,
        help_text=_("Tick when the image adds nothing the text does not say; screen readers then skip it."),
    )
    description = RichTextField(
        _("about the offering"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("Background and method."),
    )
    target_group = RichTextField(_("who it is for"), features=RICH_TEXT_FEATURES, blank=True)
    audiences = ParentalManyToManyField("lms_pages.Audience", verbose_name=_("audiences"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    topics = ParentalManyToManyField(
        "lms_pages.Topic", verbose_name=_("topics and diagnoses"), blank=True, limit_choices_to=originals
    )
    diagnosis_independent = models.BooleanField(
        _("diagnosis-independent"), default=False, help_text=_("Open to people regardless of diagnosis.")
    )
    goals = RichTextField(_("goals and learning outcomes"), features=RICH_TEXT_FEATURES, blank=True)
    user_participation = RichTextField(
        _("user participation"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_(
            "How people with lived experience take part in planning and running the offering (brukermedvirkning)."
        ),
    )
    evaluation = RichTextField(_("evaluation"), features=RICH_TEXT_FEATURES, blank=True)
    extra_sections = StreamField(ContentStreamBlock(), verbose_name=_("more sections"), blank=True)

    # Practical
    organiser = models.ForeignKey(
        "lms_pages.Organisation",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_offerings",
    )
    partners = ParentalManyToManyField(
        "lms_pages.Organisation", verbose_name=_("partners"), blank=True, related_name="partner_offerings"
    )
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.ON_SITE)
    venue = models.ForeignKey(
        "lms_pages.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=originals,
        help_text=_("Where the offering is held, unless each group has its own venue."),
    )
    digital_platform = models.CharField(
        _("digital platform"), max_length=100, blank=True, help_text=_("E.g. Microsoft Teams.")
    )
    format_note = models.TextField(_("about the format"), blank=True)
    joining_instructions = models.TextField(
        _("how to join a digital session"),
        blank=True,
        help_text=_(
            "E.g. You get the link by email the day before. Never the meeting link itself: the page and its "
            "calendar files are public."
        ),
    )
    duration = models.CharField(
        _("duration"),
        max_length=200,
        blank=True,
        help_text=_("In words, e.g. four meetings over about two years."),
    )
    min_participants = models.PositiveSmallIntegerField(_("minimum participants"), null=True, blank=True)
    max_participants = models.PositiveSmallIntegerField(_("maximum participants"), null=True, blank=True)
    price_type = models.CharField(
        _("price"), max_length=16, choices=PriceType.choices, default=PriceType.FREE
    )
    price_amount = models.DecimalField(
        _("amount in NOK"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_note = models.TextField(
        _("about the price"),
        blank=True,
        help_text=_("Frikort, no-show fee, cancellation deadline, what the fee covers."),
    )
    requirements = RichTextField(_("requirements for participants"), features=RICH_TEXT_FEATURES, blank=True)
    referral_required = models.BooleanField(_("referral required"), default=False)
    referral_note = models.TextField(_("about referral"), blank=True, help_text=_("Who can refer, and how."))
    languages = ParentalManyToManyField("lms_pages.Language", verbose_name=_("languages"), blank=True)
    interpreter_available = models.BooleanField(_("interpreter available"), default=False)
    interpreter_note = models.CharField(_("about interpreters"), max_length=300, blank=True)

    # Registration
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    registration_method = models.CharField(
        _("how to register"),
        max_length=16,
        choices=RegistrationMethod.choices,
        default=RegistrationMethod.FORM,
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    registration_note = models.TextField(_("about registration"), blank=True)
    waiting_list = models.BooleanField(
        _("waiting list"),
        default=True,
        help_text=_("When a group is full, later registrations join its waiting list."),
    )
    confidentiality_notice = models.ForeignKey(
        "lms_pages.ConfidentialityNoticePage",
        verbose_name=_("confidentiality notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Contact
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldPanel("image"), FieldPanel("image_alt"), FieldPanel("image_decorative")], heading=_("Image")
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("target_group"),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("min_age"), FieldPanel("max_age")]),
            ],
            heading=_("Target group"),
        ),
        MultiFieldPanel(
            [FieldPanel("topics", widget=forms.CheckboxSelectMultiple), FieldPanel("diagnosis_independent")],
            heading=_("Topics and diagnoses"),
        ),
        FieldPanel("goals"),
        FieldPanel("user_participation"),
        FieldPanel("evaluation"),
        FieldPanel("extra_sections"),
    ]
    practical_panels = [
        MultiFieldPanel(
            [FieldPanel("organiser"), FieldPanel("partners", widget=forms.CheckboxSelectMultiple)],
            heading=_("Organisers"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("format"),
                FieldPanel("venue"),
                FieldPanel("digital_platform"),
                FieldPanel("joining_instructions"),
                FieldPanel("format_note"),
            ],
            heading=_("Format and place"),
        ),
        HelpPanel(
            content=_(
                "Each group (e.g. Oslo, Stavanger, Tromsø) has its own places and sessions. Times are Norwegian time."
            ),
        ),
        InlinePanel("groups", heading=_("Groups"), label=_("Group")),
        FieldPanel("duration"),
        FieldRowPanel(
            [FieldPanel("min_participants"), FieldPanel("max_participants")], heading=_("Participants")
        ),
        MultiFieldPanel(
            [FieldPanel("price_type"), FieldPanel("price_amount"), FieldPanel("price_note")],
            heading=_("Price"),
        ),
        FieldPanel("requirements"),
        MultiFieldPanel(
            [FieldPanel("referral_required"), FieldPanel("referral_note")], heading=_("Referral")
        ),
        MultiFieldPanel(
            [
                FieldPanel("languages", widget=forms.CheckboxSelectMultiple),
                FieldPanel("interpreter_available"),
                FieldPanel("interpreter_note"),
            ],
            heading=_("Language"),
        ),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_email"), FieldPanel("contact_phone")],
            heading=_("Contact"),
        ),
        InlinePanel("downloads", heading=_("Downloads"), label=_("Download")),
        InlinePanel("related_offerings", heading=_("Related offerings"), label=_("Related offering")),
        FieldPanel("last_reviewed"),
    ]
    registration_panels = [
        FieldPanel("status"),
        FieldPanel("registration_method"),
        FieldRowPanel([FieldPanel("registration_opens"), FieldPanel("registration_closes")]),
        FieldPanel("waiting_list"),
        FieldPanel("registration_note"),
        FieldPanel("confidentiality_notice"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(practical_panels, heading=_("Practical")),
            ObjectList(registration_panels, heading=_("Registration")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    # What a visitor types into the catalogue's search: words of the texts (stemmed, with PostgreSQL's
    # Norwegian configuration) and the beginnings of the names they know ("hodepin", "Stavan").
    search_fields = Page.search_fields + [
        index.SearchField("introduction", boost=1.5),
        index.SearchField("description"),
        index.SearchField("target_group"),
        index.SearchField("goals"),
        index.RelatedFields("topics", [index.SearchField("name", boost=2), index.AutocompleteField("name")]),
        index.RelatedFields("venue", PLACE_SEARCH_FIELDS),
        index.RelatedFields("groups", [index.RelatedFields("venue", PLACE_SEARCH_FIELDS)]),
        index.RelatedFields("organiser", ORGANISATION_SEARCH_FIELDS),
        index.RelatedFields("partners", ORGANISATION_SEARCH_FIELDS),
        index.FilterField("status"),
        index.FilterField("format"),
    ]

    parent_page_types = ["lms_pages.CataloguePage"]
    subpage_types = [
        "lms_pages.CourseProgrammePage",
        "lms_pages.BrochurePage",
        "lms_pages.ConfidentialityNoticePage",
        "lms_pages.InformationPage",
    ]

    @classmethod
    def clean_subpage_models(cls):
        # A registration or evaluation form from another app (it sets `is_registration_form` or
        # `belongs_under_offering`) may sit under an offering too, without this app naming, or
        # depending on, that app.
        if cls._clean_subpage_models is None:
            models = super().clean_subpage_models()
            models += [
                model
                for model in get_page_models()
                if (
                    getattr(model, "is_registration_form", False)
                    or getattr(model, "belongs_under_offering", False)
                )
                and model not in models
            ]
        return cls._clean_subpage_models

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")

    def clean(self):
        super().clean()
        errors = {}
        if MEETING_LINK.search(self.joining_instructions):
            errors["joining_instructions"] = _(
                "Leave the meeting link out: this text is public, on the page and in its calendar files. Say "
                "how participants get the link, e.g. by email the day before."
            )
        if self.image_id and not self.image_decorative and not self.image_alt_text:
            errors["image_alt"] = _(
                "Describe what the image shows, or tick that it is decorative. Its description in the image "
                "library is empty."
            )
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _("The maximum age cannot be lower than the minimum age.")
        if (
            self.min_participants is not None
            and self.max_participants is not None
            and self.min_participants > self.max_participants
        ):
            errors["max_participants"] = _(
                "The maximum number of participants cannot be lower than the minimum."
            )
        if self.price_type in (PriceType.FEE, PriceType.CO_PAYMENT) and self.price_amount is None:
            errors["price_amount"] = _("Give the amount in NOK, or choose Free.")
        if self.price_type == PriceType.FREE and self.price_amount:
            errors["price_amount"] = _(
                "A free offering has no amount. Leave it empty or choose another price."
            )
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_opens >= self.registration_closes
        ):
            errors["registration_closes"] = _("Registration must close after it opens.")
        if self.format in (Format.DIGITAL, Format.HYBRID) and not self.digital_platform:
            errors["digital_platform"] = _(
                "Name the digital platform (e.g. Microsoft Teams) for a digital or hybrid offering."
            )
        if errors:
            raise ValidationError(errors)

    # Reading the offering

    # What the page shows besides its own row: loaded with the page in a fixed number of queries.
    related_fields = ["organiser", "venue", "confidentiality_notice", "image"]

    @staticmethod
    def content_prefetches():
        return [
            "audiences",
            "topics",
            "languages",
            "partners",
            Prefetch("groups", queryset=OfferingGroup.objects.select_related("venue", "occupancy")),
            Prefetch("groups__sessions", queryset=GroupSession.objects.select_related("venue")),
            Prefetch("downloads", queryset=OfferingDownload.objects.select_related("document")),
            Prefetch("related_offerings", queryset=RelatedOffering.objects.select_related("offering_page")),
        ]

    def load_content(self):
        """Fetch the page's relations once; the catalogue's routing has already joined the foreign keys."""
        if not getattr(self, "_content_loaded", False):
            prefetch_related_objects([self], *self.content_prefetches())
            self._content_loaded = True
        return self

    def places_left_in_open_groups(self, state):
        """The places left in all groups, when registration is open on this site and every group has a
        limit; None otherwise (the page then does not speak of places)."""
        if state != RegistrationState.OPEN or self.registration_method != RegistrationMethod.FORM:
            return None
        groups = list(self.groups.all())
        if not groups or any(group.places_left is None for group in groups):
            return None
        return sum(group.places_left for group in groups)

    def place_names(self):
        """Where the offering meets, as a visitor scans it: the municipalities, and "digital" for online."""
        names = []
        venues = [self.venue] if self.venue else [group.venue for group in self.groups.all()]
        for venue in venues:
            if venue is not None and venue.municipality not in names:
                names.append(venue.municipality)
        if self.format in (Format.DIGITAL, Format.HYBRID):
            digital = Format(Format.DIGITAL).label
            names.append(digital.lower() if names else digital)
        return names

    def next_session(self, now=None):
        """The first session that has not started yet, over all groups; None when there is none."""
        now = now or timezone.now()
        upcoming = [
            session for group in self.groups.all() for session in group.sessions.all() if session.start >= now
        ]
        return min(upcoming, key=lambda session: session.start, default=None)

    def front_cache_changes_at(self, now):
        """A session starts (it is no longer the next one), or registration opens or closes. Reads the
        groups and sessions that the page, or the feed, has fetched."""
        moments = [
            session.start
            for group in self.groups.all()
            for session in group.sessions.all()
            if session.start > now
        ]
        moments += [
            moment
            for moment in (self.registration_opens, self.registration_closes)
            if moment and moment > now
        ]
        return min(moments, default=None)

    @property
    def image_alt_text(self):
        """The image's alternative text: "" for a decorative image, which screen readers then skip."""
        if self.image is None or self.image_decorative:
            return ""
        return self.image_alt or self.image.description

    @property
    def price_is_free(self):
        return self.price_type == PriceType.FREE

    # The fields that decide whether registration is open. A translation keeps its original's (see
    # lms_pages.signals), so the page, the catalogue's filters and the form agree in every language.
    registration_fields = (
        "status",
        "registration_method",
        "registration_opens",
        "registration_closes",
        "waiting_list",
    )

    def registration_original(self, request=None):
        """The offering whose groups hold the places: this page, or the original it translates or aliases
        (see lms_pages.translations), with its groups and their occupancy. Fetched once per page object."""
        if "_registration_original" not in self.__dict__:
            from ..translations import original_id

            pk = original_id(self, request)
            original = self if pk == self.pk else OfferingPage.objects.filter(pk=pk).first() or self
            if original is not self:
                prefetch_related_objects([original], self.registration_prefetch())
            self.show_places_of(original)
        return self._registration_original

    @staticmethod
    def registration_prefetch():
        return Prefetch("groups", queryset=OfferingGroup.objects.select_related("occupancy"))

    def show_places_of(self, original):
        """Let this page's groups show the places of the original's groups (the same key)."""
        if original is not self:
            by_key = {group.key: group for group in original.groups.all()}
            for group in self.groups.all():
                group._registration_group = by_key.get(group.key)
        self._registration_original = original

    def registration_state(self, now=None):
        """What a visitor can do now, from the status the editor set, the window and the places left.

        Reads the groups through `self.groups.all()`, so a prefetch (with their occupancy) costs nothing.
        A translation or alias answers for its original, once `registration_original` has been read.
        """
        original = self.__dict__.get("_registration_original", self)
        if original is not self:
            return original.registration_state(now)
        closed = self.closed_state(now)
        if closed is not None:
            return closed
        groups = self.groups.all()
        if self.registration_method == RegistrationMethod.FORM and groups and all(g.is_full for g in groups):
            return RegistrationState.WAITING_LIST if self.waiting_list else RegistrationState.FULL
        return RegistrationState.OPEN

    def closed_state(self, now=None):
        """Why registration is not open now, from the status and the window alone; None when it is."""
        now = now or timezone.now()
        if self.status in (Status.CANCELLED, Status.POSTPONED):
            return RegistrationState(self.status)
        # Nobody signs up for an offering a coordinator or employer recruits to, so it is never "closed".
        if self.registration_method == RegistrationMethod.COORDINATOR:
            return RegistrationState.RECRUITED
        if self.status in (Status.FULL, Status.CLOSED):
            return RegistrationState(self.status)
        if self.registration_method == RegistrationMethod.NONE:
            return RegistrationState.NOT_REQUIRED
        if self.registration_opens and now < self.registration_opens:
            return RegistrationState.NOT_YET_OPEN
        if self.registration_closes and now >= self.registration_closes:
            return RegistrationState.CLOSED
        if self.status != Status.OPEN:
            return RegistrationState.PLANNED
        return None

    @property
    def registers_on_site(self):
        """Whether people sign up through a registration form on this site (rather than by referral,
        email, phone or a coordinator): only then may the page offer a form or call anything "sign up"."""
        return self.registration_method == RegistrationMethod.FORM

    @staticmethod
    def registration_page(child_pages):
        """The live registration form among the offering's sub-pages, if it has one.

        A page type says it is one with `is_registration_form = True` (the registration app's form page
        does), so this app does not depend on that one.
        """
        return next(
            (page for page in child_pages if getattr(page.specific_class, "is_registration_form", False)),
            None,
        )

    def related_pages(self):
        """The live related offerings, each in this page's language where it has a version in it."""
        from ..translations import in_locale

        pages = [item.offering_page for item in self.related_offerings.all() if item.offering_page.live]
        return in_locale(pages, self.locale_id)

    def all_sessions(self, groups):
        return sorted(
            (session for group in groups for session in group.sessions.all()),
            key=lambda session: session.start,
        )

    def get_context(self, request, *args, **kwargs):
        from ..structured_data import offering_json_ld
        from ..translations import in_locale

        context = super().get_context(request, *args, **kwargs)
        self.load_content()
        groups = list(self.groups.all())
        # numchild is kept by the page tree, so an offering without sub-pages costs no query here.
        child_pages = (
            list(without_restricted(self.get_children().live()).order_by("path")) if self.numchild else []
        )
        self.registration_original(request)
        registration_page = self.registration_page(child_pages)
        if registration_page is not None and not self.registers_on_site:
            # A form left under an offering people do not sign up for here is neither offered nor listed.
            child_pages = [child for child in child_pages if child.pk != registration_page.pk]
            registration_page = None
        state = self.registration_state()
        for group in groups:
            group.calendar_url = self.group_calendar_url(group, request.path)
            group.shared_place = group.shared_session_place()
        context.update(
            offering=self,
            groups=groups,
            registration_state=state,
            next_session=self.next_session(),
            session_count=sum(len(group.sessions.all()) for group in groups),
            places_left=self.places_left_in_open_groups(state),
            place_names=self.place_names(),
            registration_page=registration_page,
            json_ld=offering_json_ld(self, request, groups),
            # Under the address the visitor used, so the download keeps their language.
            calendar_url=request.path + self.reverse_subpage("calendar"),
            related_pages=self.related_pages(),
            notice=in_locale([self.confidentiality_notice], self.locale_id)[0],
            child_pages=child_pages,
            # The documents list leaves out what the registration box links already: the form and the notice.
            document_pages=[
                child
                for child in child_pages
                if child.pk not in {getattr(registration_page, "pk", None), self.confidentiality_notice_id}
            ],
        )
        return context

    def get_cached_paths(self):
        """The page and its calendar files, for the front cache's purge (lms_pages.front_cache)."""
        # `all()`, not a new query on the relation: once prefetched, modelcluster's manager would run it
        # without its filter, over every offering's groups.
        groups = [
            self.reverse_subpage("group_calendar", kwargs={"group_key": group.key})
            for group in self.groups.all()
        ]
        return ["/", self.reverse_subpage("calendar"), *groups]

    @path("kalender/", name="calendar")
    def calendar(self, request):
        return self._calendar_response(
            request, self.load_content().groups.all(), slugify(self.slug) or "tilbud"
        )

    @path("kalender/<uuid:group_key>/", name="group_calendar")
    def group_calendar(self, request, group_key):
        """One group's sessions: what someone with a place in it puts in their calendar."""
        groups = [group for group in self.load_content().groups.all() if group.key == group_key]
        if not groups:
            raise Http404
        return self._calendar_response(
            request, groups, f"{slugify(self.slug) or 'tilbud'}-{slugify(groups[0].name) or 'gruppe'}"
        )

    def group_calendar_url(self, group, page_url):
        """The group's calendar file under `page_url`, this page's address as the visitor used it (so the
        download keeps their language)."""
        return page_url + self.reverse_subpage("group_calendar", kwargs={"group_key": group.key})

    def _calendar_response(self, request, groups, filename):
        from ..ics import offering_calendar

        response = HttpResponse(
            offering_calendar(self, request, groups), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
        return response


class OfferingGroup(Orderable, ClusterableModel):
    """One run of the offering, e.g. the Oslo group, with its own places and sessions."""

    offering = ParentalKey(OfferingPage, on_delete=models.CASCADE, related_name="groups")
    # The same group in every language: copied with the page into its translations and aliases, so their
    # groups show the places of the original's group (see OfferingPage.registration_original).
    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("E.g. Oslo, or Autumn 2026."))
    venue = models.ForeignKey(
        "lms_pages.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=originals,
    )
    places = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the number of places is not limited."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("venue"), FieldPanel("places")]),
        OccupancyPanel(heading=_("Places taken and waiting list")),
        FieldPanel("note"),
        InlinePanel("sessions", heading=_("Sessions"), label=_("Session")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name

    @property
    def place_venue(self):
        """The group's own venue, or the offering's."""
        return self.venue or self.offering.venue

    def sessions_in_order(self):
        return sorted(self.sessions.all(), key=lambda session: session.start)

    def shared_session_place(self):
        """The place note ("Microsoft Teams", "Auditorium 2") when every session of the group has the same
        one and no venue of its own, so the page says it once for the group instead of on every row."""
        sessions = list(self.sessions.all())
        notes = {session.place_note for session in sessions if not session.venue_id}
        if len(sessions) > 1 and len(notes) == 1 and all(not session.venue_id for session in sessions):
            return notes.pop()
        return ""

    @property
    def registration_group(self):
        """The group that holds this one's places: itself, or on a translation or alias of the offering,
        the original's group with the same key (None when the original has no such group)."""
        return self.__dict__.get("_registration_group", self)

    @property
    def capacity(self):
        """The places of the group that holds them; None when they are not limited."""
        counted = self.registration_group
        return counted.places if counted is not None else None

    @property
    def places_taken(self):
        counted = self.registration_group
        try:
            return counted.occupancy.places_taken if counted is not None else 0
        except GroupOccupancy.DoesNotExist:
            return 0

    @property
    def waiting(self):
        counted = self.registration_group
        try:
            return counted.occupancy.waiting if counted is not None else 0
        except GroupOccupancy.DoesNotExist:
            return 0

    @property
    def places_left(self):
        """None when the places are not limited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self):
        return not has_room(self.capacity, self.places_taken)


class GroupSession(Orderable):
    """One meeting of a group: when (Norwegian time), where and about what."""

    group = ParentalKey(OfferingGroup, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    venue = models.ForeignKey(
        "lms_pages.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=originals,
        help_text=_("Only when this session is held somewhere other than the group's venue."),
    )
    place_note = models.CharField(
        _("room or place"), max_length=200, blank=True, help_text=_("E.g. Auditorium 2, or Teams.")
    )
    topic = models.CharField(_("topic"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("venue"), FieldPanel("place_note")]),
        FieldPanel("topic"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.group} {timezone.localtime(self.start):%d.%m.%Y %H:%M}"

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("A session must end after it starts.")})


class OfferingDownload(Orderable):
    """A document to download from the offering, e.g. the project description."""

    offering = ParentalKey(OfferingPage, on_delete=models.CASCADE, related_name="downloads")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the document's title.")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    @property
    def display_title(self):
        return self.title or self.document.title


class RelatedOffering(Orderable):
    offering = ParentalKey(OfferingPage, on_delete=models.CASCADE, related_name="related_offerings")
    offering_page = models.ForeignKey(
        OfferingPage, verbose_name=_("offering"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("offering_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("related offering")
        verbose_name_plural = _("related offerings")


class GroupOccupancy(models.Model):
    """The places taken and the waiting-list length of one group, kept by the registration app inside
    the transaction that changes them.

    A row of its own rather than columns on the group: groups are saved with the page's revisions, and
    publishing a draft made before a registration would otherwise write back the old counts.
    """

    group = models.OneToOneField(
        OfferingGroup, on_delete=models.CASCADE, primary_key=True, related_name="occupancy"
    )
    places_taken = models.PositiveIntegerField(_("places taken"), default=0)
    waiting = models.PositiveIntegerField(_("on the waiting list"), default=0)

    class Meta:
        verbose_name = _("group occupancy")
        verbose_name_plural = _("group occupancies")

    def __str__(self):
        return f"{self.group}: {self.places_taken} / {self.group.places}"
