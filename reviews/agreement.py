"""How far two editors reviewing the same claim blind agree: the pure rules
(which reviews are sampled for a second review, Cohen's kappa over pairs of
verdicts). No database here; SecondReview.objects.agreement() reads the pairs."""

import hashlib
from collections import Counter
from dataclasses import dataclass


def sampled_for_second_review(review_id, percent):
    """Whether review `review_id` gets a blind second review, `percent` of
    reviews in all. A hash, not a coin: the same review always gets the same
    answer, and every editor's reviews are sampled alike."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"second-review:{review_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


@dataclass(frozen=True)
class Agreement:
    pairs: int
    raw: float | None  # share of pairs with the same verdict
    kappa: float | None  # None with no pairs, or when chance alone explains them all

    @property
    def raw_percent(self):
        return None if self.raw is None else round(self.raw * 100)


def cohen_kappa(pairs):
    """Cohen's kappa of (first verdict, second verdict) pairs: the agreement
    beyond what the two sides' own verdict shares would give by chance,
    (p_o - p_e) / (1 - p_e)."""
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return Agreement(pairs=0, raw=None, kappa=None)
    observed = sum(first == second for first, second in pairs) / n
    firsts = Counter(first for first, _ in pairs)
    seconds = Counter(second for _, second in pairs)
    expected = sum(firsts[verdict] * seconds[verdict] for verdict in firsts) / (n * n)
    if expected == 1:
        # Both sides gave one and the same verdict every time: kappa is undefined.
        return Agreement(pairs=n, raw=observed, kappa=None)
    return Agreement(pairs=n, raw=observed, kappa=(observed - expected) / (1 - expected))
