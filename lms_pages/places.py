"""The one rule for whether a group has room, shared by the page display and the registration app."""


def has_room(places, taken, wanted=1):
    """Whether `wanted` more people fit in a group of `places` (None: not limited) with `taken` held."""
    return places is None or taken + wanted <= places
