"""Rich text is cleaned when it is saved, so that only what Wagtail's rich-text editor can produce is shown.

The editor (Draftail) keeps only its features' elements, but rich text may also arrive without it: the
demo loader, a data migration, a shell, an API. The `richtext` template filter renders what is stored
as it is, so a `<script>`, an `on…` attribute or a `javascript:` link stored that way would run in every
visitor's browser. The rich text inside StreamField blocks is cleaned the same way. Rich text without
anything to remove is kept exactly as it is (so a confidentiality notice's fingerprint, and with it its
version, does not change by being saved again).
"""

import copy
from functools import cache

from bs4 import Comment
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.whitelist import DEFAULT_ELEMENT_RULES, Whitelister, attribute_rule, check_url

# Elements whose content is code or markup, not text: removed with their content.
REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}
)
# Blocks keep the key Wagtail's editor gives them; links keep Wagtail's page and document references.
BLOCK_RULE = attribute_rule({"data-block-key": True})
ELEMENT_RULES = {
    **DEFAULT_ELEMENT_RULES,
    **dict.fromkeys(("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"), BLOCK_RULE),
    "a": attribute_rule({"href": check_url, "linktype": True, "id": True}),
}


class RichTextCleaner(Whitelister):
    element_rules = ELEMENT_RULES

    def clean(self, html):
        """`html` with only the allowed elements and attributes; `html` itself when nothing is removed."""
        self.changed = False
        cleaned = super().clean(html)
        return cleaned if self.changed else html

    def clean_string_node(self, doc, node):
        if isinstance(node, Comment):
            self.changed = True
        super().clean_string_node(doc, node)

    def clean_tag_node(self, doc, tag):
        if tag.name in REMOVED_WITH_CONTENT:
            tag.decompose()
            self.changed = True
            return
        attributes = dict(tag.attrs)
        known = tag.name in self.element_rules
        super().clean_tag_node(doc, tag)
        if not known or tag.attrs != attributes:
            self.changed = True


def clean_rich_text(html):
    if not html:
        return html
    return RichTextCleaner().clean(html)


def _cleaned_block_value(block, value):
    """A block's stored (JSON) value with the rich text in it cleaned, at any depth."""
    if isinstance(block, blocks.RichTextBlock):
        return clean_rich_text(value) if isinstance(value, str) else value
    if isinstance(block, blocks.StreamBlock) and isinstance(value, list):
        for item in value:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                item["value"] = _cleaned_block_value(child, item.get("value"))
    elif isinstance(block, blocks.StructBlock) and isinstance(value, dict):
        for name, child in block.child_blocks.items():
            if name in value:
                value[name] = _cleaned_block_value(child, value[name])
    elif isinstance(block, blocks.ListBlock) and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict) and item.get("type") == "item":
                item["value"] = _cleaned_block_value(block.child_block, item.get("value"))
            else:
                value[index] = _cleaned_block_value(block.child_block, item)
    return value


def clean_stream_field(field, stream):
    """The stream with its rich text cleaned, or the stream itself when nothing needs removing."""
    stored = field.stream_block.get_prep_value(stream)
    cleaned = _cleaned_block_value(field.stream_block, copy.deepcopy(stored))
    return stream if cleaned == stored else cleaned


@cache
def rich_text_fields(model):
    return tuple(field.attname for field in model._meta.concrete_fields if isinstance(field, RichTextField))


@cache
def stream_fields(model):
    return tuple(field for field in model._meta.concrete_fields if isinstance(field, StreamField))


def clean_rich_text_fields(instance):
    """Clean the instance's rich-text fields and the rich text inside its StreamFields' blocks."""
    for name in rich_text_fields(type(instance)):
        setattr(instance, name, clean_rich_text(getattr(instance, name)))
    for field in stream_fields(type(instance)):
        stream = getattr(instance, field.attname)
        cleaned = clean_stream_field(field, stream)
        if cleaned is not stream:
            setattr(instance, field.attname, cleaned)
