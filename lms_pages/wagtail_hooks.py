"""Admin registration of the shared vocabularies."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Language, Organisation, Topic, Venue


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "is_diagnosis"]
    list_filter = ["is_diagnosis"]
    search_fields = ["name"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    list_display = ["name", "municipality", "region"]
    search_fields = ["name", "municipality"]


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["name", "code"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = _("Offering vocabularies")
    menu_icon = "list-ul"
    menu_order = 250
    items = (TopicViewSet, OrganisationViewSet, VenueViewSet, LanguageViewSet)


register_snippet(VocabularyGroup)
