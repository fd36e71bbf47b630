from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from vigil.admin import ReadOnlyAdmin
from .models import Dissent
from .services import DissentAlreadyWeighed, dissent_reject, dissent_weigh


@admin.register(Dissent)
class DissentAdmin(ReadOnlyAdmin):
    """Read-only: dissent is weighed on the desk (or here) through the same
    actions, which check the person's role themselves."""

    list_display = ["claim", "status", "received_at", "name", "consent_to_credit"]
    list_filter = ["status", "consent_to_credit"]
    list_select_related = ["claim"]
    search_fields = ["claim__code", "argument", "name", "email"]
    date_hierarchy = "received_at"
    actions = ["weigh_not_material", "reject_as_spam"]

    def _each(self, request, queryset, action, done):
        count = 0
        for dissent in queryset:
            try:
                action(dissent=dissent, editor=request.user)
                count += 1
            except DissentAlreadyWeighed as error:
                self.message_user(request, f"{dissent}: {error}", messages.WARNING)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                break
        self.message_user(request, f"{count} {done}.")

    @admin.action(description="Weigh as not material")
    def weigh_not_material(self, request, queryset):
        self._each(
            request, queryset,
            lambda **kw: dissent_weigh(material=False, **kw), "weighed as not material",
        )

    @admin.action(description="Reject as spam or abuse")
    def reject_as_spam(self, request, queryset):
        self._each(request, queryset, dissent_reject, "rejected")
