from articles.health import BAR_WIDTH, Health


class TestHealth:
    def test_segments_are_proportional_and_fill_the_bar(self):
        health = Health(holding=2, partial=1, not_holding=1, overdue=0)
        segments = health.segments
        assert [(s.verdict, s.count) for s in segments] == [("holding", 2), ("partial", 1), ("not_holding", 1)]
        assert [s.width for s in segments] == [150.0, 75.0, 75.0]
        assert [s.x for s in segments] == [0.0, 150.0, 225.0]
        assert sum(s.width for s in segments) == BAR_WIDTH

    def test_empty_verdicts_draw_no_segment(self):
        assert [s.verdict for s in Health(holding=0, partial=3, not_holding=0, overdue=1).segments] == ["partial"]

    def test_summary_says_it_in_words(self):
        assert Health(holding=4, partial=1, not_holding=1, overdue=2).summary == (
            "6 claims: 4 holding, 1 partial, 1 not holding; 2 overdue for review."
        )
        assert Health(holding=0, partial=0, not_holding=0, overdue=0).summary == "No claims tracked yet."
