"""Wagtail page types for learning and coping offerings (lærings- og mestringstilbud)."""
