"""The offering's registration settings, shown (not edited) on its registration form in the admin."""

from wagtail.admin.panels import Panel

from lms_pages.models import OfferingPage


class OfferingRegistrationPanel(Panel):
    """Opening and closing time, waiting list, minimum age and places per group, as the form uses them,
    with a link to where they are edited: the offering, so that its page and the catalogue agree."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "lms_forms/admin/offering_registration_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            parent = getattr(self.form, "parent_page", None)
            offering = None
            if parent is not None:
                offering = (
                    OfferingPage.objects.filter(pk=parent.pk)
                    .prefetch_related("groups__occupancy")
                    .select_related("confidentiality_notice")
                    .first()
                )
            if offering is not None:
                # A translation or alias registers for its original, where these are set and counted.
                offering = offering.registration_original(self.request)
            context["offering"] = offering
            context["groups"] = list(offering.groups.all()) if offering else []
            return context
