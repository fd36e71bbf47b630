"""The outbox moved from the reviews app to vigil (vigil.0002, reviews.0006):
notices still waiting when a site upgrades are kept and still delivered."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [("vigil", "0001_event"), ("reviews", "0005_feed_stamp_index")]
AFTER = [("vigil", "0002_outbox_message"), ("reviews", "0006_outbox_moves_to_vigil")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


class OutboxMoveTests(TransactionTestCase):
    def tearDown(self):
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def test_an_undelivered_notice_survives_the_move(self):
        old_apps = migrate(BEFORE)
        OldOutbox = old_apps.get_model("reviews", "OutboxMessage")
        OldOutbox.objects.create(event="dissent_received", object_id="7")

        new_apps = migrate(AFTER)
        (notice,) = new_apps.get_model("vigil", "OutboxMessage").objects.all()
        self.assertEqual(
            (notice.event, notice.object_id, notice.sent_at), ("dissent_received", "7", None)
        )
        self.assertNotIn("reviews_outboxmessage", connection.introspection.table_names())

    def test_the_move_can_be_undone(self):
        new_apps = migrate(AFTER)
        Outbox = new_apps.get_model("vigil", "OutboxMessage")
        Outbox.objects.create(event="dissent_received", object_id="8")
        old_apps = migrate(BEFORE)
        (notice,) = old_apps.get_model("reviews", "OutboxMessage").objects.all()
        self.assertEqual(notice.object_id, "8")

