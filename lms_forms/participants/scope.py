"""What one request to the Participants area may reach: the participants, offerings, groups, sessions and
evaluations of the sites its user may see (`lms_forms.models.access`). Every view takes its rows from
here, so that nothing of another site's can be listed, opened, changed, exported or erased."""

from lms_pages.models import GroupSession, OfferingGroup, OfferingPage
from lms_pages.translations import originals

from ..models import EvaluationFormPage, ParticipantScope, Registration


def scope_of(request):
    """The user's scope, worked out once per request."""
    scope = getattr(request, "_lms_participant_scope", None)
    if scope is None:
        scope = request._lms_participant_scope = ParticipantScope.of(request.user)
    return scope


def participants(request):
    return scope_of(request).restrict(Registration.objects.all(), through="offering")


def offerings(request, queryset=None):
    """The originals (which hold the participants) among the offerings of the user's sites."""
    return scope_of(request).restrict(originals(OfferingPage.objects.all() if queryset is None else queryset))


def groups(request):
    return OfferingGroup.objects.filter(offering__in=offerings(request))


def sessions(request):
    return GroupSession.objects.filter(group__offering__in=offerings(request))


def evaluation_pages(request):
    return scope_of(request).restrict(EvaluationFormPage.objects.all())
