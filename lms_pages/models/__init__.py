from .choices import (  # noqa: F401
    AudienceCode,
    Format,
    OfferingKind,
    OrganisationKind,
    PriceType,
    RegistrationMethod,
    RegistrationState,
    Status,
)
from .offering import GroupSession, OfferingDownload, OfferingGroup, OfferingPage, RelatedOffering  # noqa: F401
from .pages import (  # noqa: F401
    BrochurePage,
    CataloguePage,
    ConfidentialityNoticePage,
    CourseProgrammePage,
    InformationPage,
    NoticeVersion,
)
from .settings import LmsSiteSettings  # noqa: F401
from .snippets import Audience, Language, Organisation, Topic, Venue  # noqa: F401
