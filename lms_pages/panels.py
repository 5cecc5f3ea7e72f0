"""Admin panels that show what the registration app keeps, next to what editors enter."""

from wagtail.admin.panels import Panel


class OccupancyPanel(Panel):
    """A group's places taken and left and its waiting list, read-only, on the offering's edit form."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "lms_pages/admin/occupancy_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            group = self.instance
            context["group"] = group if group is not None and group.pk else None
            return context
