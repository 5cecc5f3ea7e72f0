"""The site's brand colour: checked against white text, the way the header and buttons use it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.1 1.4.3: normal text needs a contrast ratio of at least 4.5:1.
MINIMUM_CONTRAST = 4.5


def relative_luminance(colour):
    """WCAG 2.1's relative luminance of a colour written #rrggbb."""
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour):
    return 1.05 / (relative_luminance(colour) + 0.05)


def validate_brand_colour(value):
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Write the colour as # and six hexadecimal digits, e.g. #003a73."))
    ratio = contrast_with_white(value)
    if ratio < MINIMUM_CONTRAST:
        raise ValidationError(
            _(
                "White text on this colour has a contrast of %(ratio)s:1; it needs at least 4.5:1. Choose a darker colour."
            ),
            params={"ratio": f"{ratio:.1f}"},
        )


def darker(colour, amount=0.25):
    """The colour with each channel moved `amount` of the way to black, written #rrggbb.

    Links and buttons turn this on hover. Darker never lowers the contrast with white, so a brand colour
    that passes validate_brand_colour passes with its darker variant too.
    """
    channels = [int(colour[index : index + 2], 16) for index in (1, 3, 5)]
    return "#" + "".join(f"{round(value * (1 - amount)):02x}" for value in channels)
