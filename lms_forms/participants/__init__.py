"""The Participants area of the Wagtail admin (registered in wagtail_hooks)."""
