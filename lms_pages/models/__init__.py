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
from .offering import (  # noqa: F401
    GroupOccupancy,
    GroupSession,
    OfferingDownload,
    OfferingGroup,
    OfferingPage,
    RelatedOffering,
)
from .pages import (  # noqa: F401
    AccessibilityIssue,
    AccessibilityStatementPage,
    BrochurePage,
    CataloguePage,
    ConfidentialityNoticePage,
    CourseProgrammePage,
    InformationPage,
    NoticeVersion,
)
from .regional import FeedCopy, RegionalCataloguePage, RegionalFeed  # noqa: F401
from .settings import LmsSiteSettings, LmsSiteSettingsTranslation  # noqa: F401
from .snippets import Audience, Language, Organisation, Topic, Venue  # noqa: F401
