"""The catalogue as visitors use it: filters, counts, search, cards and one page of results."""

from .filters import CatalogueFilter, filter_offerings
from .listing import CatalogueListing

__all__ = ["CatalogueFilter", "CatalogueListing", "filter_offerings"]
