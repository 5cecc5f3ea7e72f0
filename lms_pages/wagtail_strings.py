"""Wagtail 8's own strings that its Norwegian catalogue leaves in English, in the screens editors of
this product use: the page editor's messages, the form builder's field help and the translation of pages
and languages. Listed here so that this app's catalogue, which Django reads before Wagtail's (lms_pages
comes first in INSTALLED_APPS), gives them in bokmål and nynorsk; each must stay exactly Wagtail's msgid.
Nothing imports this module; `make messages` reads it.
"""

from django.utils.translation import gettext_noop

WAGTAIL_STRINGS = [
    gettext_noop("The page could not be saved due to validation errors."),
    gettext_noop("The page could not be created due to validation errors."),
    gettext_noop("The page could not be saved as it is locked."),
    gettext_noop("There are validation errors, click save to highlight them."),
    gettext_noop("Saving will overwrite a newer version."),
    gettext_noop("Version from %(datetime)s of page '%(page_title)s' has been published."),
    gettext_noop("Page '%(page_title)s' has been replaced with version from %(previous_revision_datetime)s."),
    gettext_noop(
        "Version from %(previous_revision_datetime)s of page '%(page_title)s' has been scheduled for publishing."
    ),
    gettext_noop("Page '%(page_title)s' is live and this version has been scheduled for publishing."),
    gettext_noop("Workflow on page '%(page_title)s' has been cancelled."),
    gettext_noop("Workflow on page '%(page_title)s' has been restarted."),
    gettext_noop("Scheduling…"),
    gettext_noop("Schedule to publish"),
    gettext_noop("'%(object)s' unpublished."),
    gettext_noop('Version %(revision_id)s of "%(object)s" unscheduled.'),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Compare"),
    gettext_noop("History"),
    gettext_noop("Sort item order"),
    gettext_noop("Safe name of the form field, the label converted to ascii_snake_case"),
    gettext_noop(
        "Comma or new line separated list of choices. Only applicable in checkboxes, radio and dropdown."
    ),
    gettext_noop("Default value. Comma or new line separated values supported for checkboxes."),
    gettext_noop(
        "The name '%(duplicate_clean_name)s' is already assigned to this field and cannot be changed. Please enter a different label for the conflicting field."
    ),
    gettext_noop(
        "Field name '%(duplicate_clean_name)s' conflicts with another field. Please change the label."
    ),
    gettext_noop("Are you sure you want to delete this form submission?"),
    gettext_noop("Form data"),
    gettext_noop("Page type"),
    gettext_noop("Translate"),
    gettext_noop("Translate this page"),
    gettext_noop("Translate page"),
    gettext_noop("Translate %(model_name)s"),
    gettext_noop("Submit"),
    gettext_noop("Locales"),
    gettext_noop("All child pages will be created."),
    gettext_noop("A locale is disabled because a parent page is not translated."),
    gettext_noop("Translate the parent page."),
    gettext_noop("The page '%(page_title)s' was successfully created in %(locales)s"),
    gettext_noop("Successfully created %(locales)s for %(model_name)s '%(object)s'"),
    gettext_noop("Can submit translations"),
    gettext_noop("Language"),
    gettext_noop("Select a new language"),
    gettext_noop("Add a locale"),
    gettext_noop("Add locale"),
    gettext_noop("Locale '%(object)s' created."),
    gettext_noop("Locale '%(object)s' updated."),
    gettext_noop("Locale '%(object)s' deleted."),
    gettext_noop("The locale could not be saved due to errors."),
    gettext_noop("Delete locale"),
    gettext_noop("Are you sure you want to delete this locale?"),
    gettext_noop("This locale cannot be deleted because there are no other locales."),
    gettext_noop("This locale cannot be deleted because there are pages and/or other objects using it."),
    gettext_noop("This locale's language code is not supported"),
    gettext_noop("Back"),
    gettext_noop("%(model)s permissions"),
]
