"""Admin panels that show what the registration app keeps, next to what editors enter."""

from wagtail.admin.panels import Panel


class OccupancyPanel(Panel):
    """A group's places taken and left and its waiting list, read-only, on the offering's edit form."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "lms_pages/admin/occupancy_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            group = self.instance
            if group is None or not group.pk:
                context["group"] = None
                return context
            offering = group.offering
            original = offering.registration_original(self.request)
            if original is not offering:
                # On a translation or alias, the places are the original's group's.
                context["original"] = original
                group = next((g for g in original.groups.all() if g.key == group.key), None)
            context["group"] = group
            context["saved"] = True
            return context
