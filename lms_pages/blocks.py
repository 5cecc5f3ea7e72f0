"""StreamField blocks for programmes, modules and free content sections."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from .languages import LANGUAGE_CHOICES

HEADING_LEVELS = [("h2", _("Level 2")), ("h3", _("Level 3")), ("h4", _("Level 4"))]
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    """A heading whose level the editor chooses, so screen-reader users get a true outline."""

    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(choices=HEADING_LEVELS, default="h2", label=_("Level"))

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "lms_pages/blocks/heading.html"
        preview_value = {"text": "Målet med læringsnettverket", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "lms_pages/blocks/quote.html"
        preview_value = {"text": "Flott å bli bedre kjent med andre kommuner", "attribution": "Deltaker"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        help_text=_("Describe the image for people who cannot see it. Leave empty if it is decorative."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "lms_pages/blocks/image.html"


class KeyFigureBlock(blocks.StructBlock):
    figure = blocks.CharBlock(label=_("Figure"), max_length=30, help_text=_("E.g. 1509"))
    text = blocks.CharBlock(label=_("Text"), help_text=_("E.g. people from Nordland took part in a course."))

    class Meta:
        icon = "decimal"
        label = _("Key figure")


class KeyFiguresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("Figures"))

    class Meta:
        icon = "decimal"
        label = _("Key figures")
        template = "lms_pages/blocks/key_figures.html"
        preview_value = {
            "heading": "I 2016",
            "figures": [{"figure": "130", "text": "unike lærings- og mestringskurs"}],
        }


class ReferenceBlock(blocks.StructBlock):
    citation = blocks.TextBlock(label=_("Citation"))
    url = blocks.URLBlock(label=_("Link"), required=False)

    class Meta:
        icon = "link"
        label = _("Reference")


class ReferencesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), default=_("Sources"))
    references = blocks.ListBlock(ReferenceBlock(), label=_("References"))

    class Meta:
        icon = "list-ol"
        label = _("Sources")
        template = "lms_pages/blocks/references.html"


class DocumentsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("Document")), label=_("Documents"))

    class Meta:
        icon = "doc-full"
        label = _("Downloads")
        template = "lms_pages/blocks/documents.html"


class OtherLanguageBlock(blocks.StructBlock):
    """Text written in another language than the page, marked with its language (WCAG 3.1.2), so that a
    screen reader reads it with the right voice: a nynorsk section on a bokmål page, a publisher's lines
    in Northern Sami."""

    language = blocks.ChoiceBlock(choices=LANGUAGE_CHOICES, label=_("Language"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES + ["h3", "h4"], label=_("Text"))

    class Meta:
        icon = "globe"
        label = _("Text in another language")
        template = "lms_pages/blocks/other_language.html"


class ContentStreamBlock(blocks.StreamBlock):
    """Free sections for an information page or the extra sections of an offering."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES + ["h3", "h4"], label=_("Paragraph"), icon="pilcrow"
    )
    quote = QuoteBlock()
    image = ImageBlock()
    key_figures = KeyFiguresBlock()
    documents = DocumentsBlock()
    references = ReferencesBlock()
    other_language = OtherLanguageBlock()


class ProgrammeItemBlock(blocks.StructBlock):
    """One item of a day: a time slot (optional), a topic, a description and who leads it."""

    start_time = blocks.TimeBlock(label=_("Starts"), required=False, format="%H:%M")
    end_time = blocks.TimeBlock(label=_("Ends"), required=False, format="%H:%M")
    topic = blocks.CharBlock(label=_("Topic"), max_length=300)
    description = blocks.TextBlock(label=_("Description"), required=False)
    speakers = blocks.CharBlock(label=_("Speakers"), required=False, help_text=_("Names and roles."))

    class Meta:
        icon = "time"
        label = _("Programme item")


class ProgrammeDayBlock(blocks.StructBlock):
    """A day (or meeting) of the programme, e.g. "Dag 1" or "Treff 3"."""

    title = blocks.CharBlock(label=_("Title"), max_length=100, help_text=_("E.g. Day 1"))
    date = blocks.DateBlock(label=_("Date"), required=False)
    items = blocks.ListBlock(ProgrammeItemBlock(), label=_("Items"))

    class Meta:
        icon = "date"
        label = _("Day")
        template = "lms_pages/blocks/programme_day.html"
        preview_value = {"title": "Dag 1", "items": [{"topic": "Hvorfor kurs i helsepedagogikk?"}]}


class AssignmentBlock(blocks.StructBlock):
    """Work that participants do between days, e.g. the home assignment presented on day 3."""

    title = blocks.CharBlock(label=_("Title"), default=_("Home assignment"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Assignment"))
    due = blocks.CharBlock(label=_("To be presented"), required=False, help_text=_("E.g. on day 3"))

    class Meta:
        icon = "edit"
        label = _("Home assignment")
        template = "lms_pages/blocks/assignment.html"


class ProgrammeStreamBlock(blocks.StreamBlock):
    day = ProgrammeDayBlock()
    assignment = AssignmentBlock()


class ModuleBlock(blocks.StructBlock):
    """A module of a longer course, e.g. "Startmodul", with its length in days and its goals."""

    name = blocks.CharBlock(label=_("Name"), max_length=100)
    days = blocks.IntegerBlock(label=_("Days"), min_value=0, max_value=365)
    description = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Description"), required=False)
    learning_goals = blocks.ListBlock(blocks.CharBlock(label=_("Learning goal")), label=_("Learning goals"))

    class Meta:
        icon = "folder-open-inverse"
        label = _("Module")
        template = "lms_pages/blocks/module.html"
        preview_value = {
            "name": "Startmodul",
            "days": 5,
            "learning_goals": ["Å styrkje helsepersonell i formidingsrolla"],
        }
