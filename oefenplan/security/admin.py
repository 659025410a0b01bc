"""allauth's own admin pages (authenticators, sessions, e-mail addresses) are
for site administrators only: a staff member of one practice may not see
another practice's therapists' second factors, sessions or addresses, nor
remove their authenticator."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin


def _superusers_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    class SiteAdministratorsOnly(model_admin):
        def has_module_permission(self, request) -> bool:
            return request.user.is_active and request.user.is_superuser

        def has_view_permission(self, request, obj=None) -> bool:
            return request.user.is_active and request.user.is_superuser

        def has_change_permission(self, request, obj=None) -> bool:
            return request.user.is_active and request.user.is_superuser

        def has_delete_permission(self, request, obj=None) -> bool:
            return request.user.is_active and request.user.is_superuser

        def has_add_permission(self, request, obj=None) -> bool:
            return False

    return SiteAdministratorsOnly


for model in (Authenticator, UserSession, EmailAddress):
    original = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, _superusers_only(original))
