from django.apps import AppConfig


class FollowersConfig(AppConfig):
    """Readers and machines told when a claim, article or pillar moves. The top
    app: it reads claims, articles, reviews, the correction log and dissent,
    and nothing imports it. It reacts to the action pipeline's events."""

    name = "followers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vigil.actions import after_commit
        from vigil.notifications import notice_describer, outbox_channel

        from . import notices, webhooks
        from .fanout import event_committed

        after_commit(event_committed)
        notice_describer(notices.FOLLOW_CONFIRM, notices.describe_follow_confirm)
        notice_describer(notices.FOLLOWER_CHANGE, notices.describe_changes, digest=True)
        notice_describer(notices.DISSENT_ANSWER, notices.describe_dissent_answer)
        notice_describer(webhooks.ENDPOINT_DISABLED, webhooks.describe_endpoint_disabled)
        outbox_channel(webhooks.CHANNEL, webhooks.deliver, failed=webhooks.delivery_failed)
