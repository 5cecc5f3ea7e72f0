"""Who may see and change participants: one permission, held by the Course administrators group."""

from functools import wraps

from django.core.exceptions import PermissionDenied

PARTICIPANTS_PERMISSION = "lms_forms.manage_participants"


def can_manage_participants(user):
    """Whether `user` may see, export, import and change participants (the permission on Registration)."""
    return user.is_active and user.has_perm(PARTICIPANTS_PERMISSION)


def participants_only(view):
    """A view of the Participants area: refused (403) to anyone without the participant permission."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not can_manage_participants(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded
