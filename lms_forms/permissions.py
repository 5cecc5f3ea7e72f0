"""Who may see and change participants: one permission, held by the Course administrators group."""

PARTICIPANTS_PERMISSION = "lms_forms.manage_participants"


def can_manage_participants(user):
    """Whether `user` may see, export, import and change participants (the permission on Registration)."""
    return user.is_active and user.has_perm(PARTICIPANTS_PERMISSION)
