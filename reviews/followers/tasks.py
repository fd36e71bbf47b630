"""Background work of followers. Tasks take IDs and call one function (fanout)."""

from celery import shared_task

from . import fanout


@shared_task(name="followers.fan_out", acks_late=True, soft_time_limit=540, time_limit=600)
def fan_out(event_id):
    return fanout.event_fan_out(event_id=event_id)


@shared_task(name="followers.sweep", acks_late=True, soft_time_limit=240, time_limit=300)
def sweep():
    return fanout.followers_sweep()
