from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from vigil.actions import after_commit
        from vigil.conditional import feed_stamp
        from vigil.notifications import notice_describer, outbox_channel

        from .feeds import reviews_changed
        from .followers import notices, webhooks
        from .followers.fanout import event_committed

        feed_stamp(reviews_changed)
        # Followers (reviews/followers/): readers and machines told when a claim,
        # article or pillar moves. They read every event's subjects, so they sit
        # in the top app and react to the action pipeline after commit.
        after_commit(event_committed)
        notice_describer(notices.FOLLOW_CONFIRM, notices.describe_follow_confirm)
        notice_describer(notices.FOLLOWER_CHANGE, notices.describe_changes, digest=True)
        notice_describer(notices.DISSENT_ANSWER, notices.describe_dissent_answer)
        notice_describer(webhooks.ENDPOINT_DISABLED, webhooks.describe_endpoint_disabled)
        outbox_channel(webhooks.CHANNEL, webhooks.deliver, failed=webhooks.delivery_failed)
