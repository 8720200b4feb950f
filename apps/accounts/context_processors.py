from .roles import is_analyst, is_editor, role_of


def roles(request):
    user = getattr(request, "user", None)
    return {
        "user_role": role_of(user),
        "user_is_analyst": is_analyst(user),
        "user_is_editor": is_editor(user),
    }
