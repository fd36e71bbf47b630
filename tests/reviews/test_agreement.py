"""Cohen's kappa and the second-review sample (reviews.agreement): pure rules."""

import pytest

from reviews.agreement import cohen_kappa, sampled_for_second_review


class TestCohenKappa:
    def test_a_known_table(self):
        # The textbook 2x2 table (Cohen 1960 style): 20 yes/yes, 5 yes/no,
        # 10 no/yes, 15 no/no. p_o = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.
        pairs = (
            [("holding", "holding")] * 20
            + [("holding", "not_holding")] * 5
            + [("not_holding", "holding")] * 10
            + [("not_holding", "not_holding")] * 15
        )
        agreement = cohen_kappa(pairs)
        assert agreement.pairs == 50
        assert agreement.raw == pytest.approx(0.7)
        assert agreement.kappa == pytest.approx(0.4)
        assert agreement.raw_percent == 70

    def test_a_three_verdict_table(self):
        # Rows: first verdict; columns: second (holding, partial, not holding).
        table = {
            ("holding", "holding"): 10, ("holding", "partial"): 4, ("holding", "not_holding"): 1,
            ("partial", "holding"): 3, ("partial", "partial"): 8, ("partial", "not_holding"): 4,
            ("not_holding", "holding"): 0, ("not_holding", "partial"): 2, ("not_holding", "not_holding"): 8,
        }
        pairs = [pair for pair, count in table.items() for _ in range(count)]
        # n = 40; p_o = 26/40 = 0.65; first 15/15/10, second 13/14/13:
        # p_e = (15*13 + 15*14 + 10*13) / 1600 = 535/1600; kappa = (0.65 - 0.334375) / 0.665625.
        agreement = cohen_kappa(pairs)
        assert agreement.raw == pytest.approx(0.65)
        assert agreement.kappa == pytest.approx((0.65 - 535 / 1600) / (1 - 535 / 1600))
        assert round(agreement.kappa, 3) == 0.474

    def test_perfect_and_chance(self):
        assert cohen_kappa([("holding", "holding"), ("partial", "partial")]).kappa == 1
        # Agreement no better than chance: kappa 0.
        pairs = [("holding", "holding"), ("holding", "partial"), ("partial", "holding"), ("partial", "partial")]
        assert cohen_kappa(pairs).kappa == 0

    def test_no_pairs_and_one_verdict_only(self):
        assert cohen_kappa([]).kappa is None and cohen_kappa([]).pairs == 0
        same = cohen_kappa([("partial", "partial")] * 3)
        assert (same.raw, same.kappa) == (1, None)


class TestSample:
    def test_the_share_asked_for_and_the_same_answer_every_time(self):
        sampled = [n for n in range(1, 10_001) if sampled_for_second_review(n, 10)]
        assert 900 <= len(sampled) <= 1100
        assert sampled == [n for n in range(1, 10_001) if sampled_for_second_review(n, 10)]

    def test_none_and_all(self):
        assert not any(sampled_for_second_review(n, 0) for n in range(100))
        assert all(sampled_for_second_review(n, 100) for n in range(100))
