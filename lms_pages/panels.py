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


class FeedStatusPanel(Panel):
    """How a regional catalogue's feed was last read, read-only, beside its address."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "lms_pages/admin/feed_status_panel.html"

        def get_context_data(self, parent_context=None):
            from .models.regional import FeedCopy

            context = super().get_context_data(parent_context)
            feed = self.instance
            saved = feed is not None and feed.pk and (feed.site_id or feed.url)
            context["copy"] = FeedCopy.objects.filter(source=feed.source).first() if saved else None
            return context
