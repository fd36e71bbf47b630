import datetime

import pytest
import time_machine
from django.db import connection
from django.test import TestCase

from articles.models import Article
from claims.search import MAX_QUERY_LENGTH, clean_query, search, snippet
from tests.factories import make_article, make_claim, make_pillar


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class SearchTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.energy = make_pillar(name="Energy", slug="energy")
        cls.minds = make_pillar(name="Machine minds", slug="minds")
        cls.body_match = make_article(
            title="What the benchmarks miss", slug="benchmarks",
            body_markdown="Models score well on tests of **reasoning** but stumble on novel puzzles.",
            pillar=cls.minds, published_on=datetime.date(2026, 2, 20),
        )
        cls.title_match = make_article(
            title="Reasoning in machines", slug="reasoning-in-machines",
            body_markdown="A survey of what language models can do.",
            pillar=cls.minds, published_on=datetime.date(2026, 1, 10),
        )
        cls.grid = make_article(
            title="Grid prices", slug="grid-prices", body_markdown="Wholesale prices fell in winter.",
            pillar=cls.energy,
        )
        cls.draft = make_article(
            title="Reasoning draft", slug="reasoning-draft", status=Article.Status.DRAFT, published_on=None,
        )
        cls.minds_claim = make_claim(
            article=cls.title_match, is_primary=True, verdict="holding",
            statement="Language models improve at multi-step reasoning each year.",
        )
        make_claim(article=cls.body_match, is_primary=True, verdict="partial", statement="Benchmarks saturate.")
        cls.grid_claim = make_claim(
            article=cls.grid, is_primary=True, verdict="not_holding", statement="Prices fall every winter.",
        )


class SearchRankingTests(SearchTestCase):
    def test_title_match_ranks_before_body_match(self):
        results = search("reasoning")
        self.assertEqual([a.slug for a in results.articles], ["reasoning-in-machines", "benchmarks"])

    def test_finds_claims_and_leaves_drafts_out(self):
        results = search("reasoning")
        self.assertEqual([c.code for c in results.claims], [self.minds_claim.code])
        self.assertNotIn("reasoning-draft", [a.slug for a in results.articles])

    def test_claim_code_finds_its_claim(self):
        self.assertEqual([c.code for c in search(self.grid_claim.code).claims], [self.grid_claim.code])

    def test_filters_by_pillar_and_verdict(self):
        self.assertEqual([a.slug for a in search("prices", pillar=self.minds).articles], [])
        self.assertEqual([a.slug for a in search("prices", pillar=self.energy).articles], ["grid-prices"])
        results = search("reasoning", verdict="partial")
        self.assertEqual([a.slug for a in results.articles], ["benchmarks"])
        self.assertEqual(results.claims, [])

    def test_snippet_marks_the_words_and_escapes_the_rest(self):
        article = make_article(body_markdown="Watch <script>alert(1)</script> the reasoning & more.")
        [hit] = [a for a in search("reasoning").articles if a.pk == article.pk]
        self.assertIn("<mark>reasoning</mark>", hit.snippet)
        self.assertIn("&amp; more", hit.snippet)
        # Escaped on SQLite; PostgreSQL's headline drops tags altogether.
        self.assertNotIn("<script>", hit.snippet)


@pytest.mark.postgres
class PostgresSearchTests(SearchTestCase):
    def test_stemming_matches_other_forms_of_a_word(self):
        self.assertEqual([a.slug for a in search("reasoned").articles], ["reasoning-in-machines", "benchmarks"])

    def test_websearch_syntax_phrases_and_exclusions(self):
        self.assertEqual([a.slug for a in search('"novel puzzles"').articles], ["benchmarks"])
        self.assertEqual([a.slug for a in search("reasoning -puzzles").articles], ["reasoning-in-machines"])

    def test_articles_have_a_gin_index_on_the_search_vector(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_idx'"
            )
            [(definition,)] = cursor.fetchall()
        self.assertIn("USING gin (search_document)", definition)

    def test_the_stored_vector_follows_edits(self):
        self.title_match.title = "Zeppelins in machines"
        self.title_match.save()
        self.assertEqual([a.slug for a in search("zeppelin").articles], ["reasoning-in-machines"])

    def test_the_planner_can_use_the_indexes(self):
        from django.contrib.postgres.search import SearchQuery

        from claims.search import stored_vector
        from claims.models import Claim

        for model, index in [(Article, "article_search_idx"), (Claim, "claim_search_idx")]:
            query = model.objects.alias(document=stored_vector(model)).filter(
                document=SearchQuery("reasoning", search_type="websearch", config="english")
            )
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                plan = query.explain()
            self.assertIn(index, plan)


class HostileQueryTests(SearchTestCase):
    HOSTILE = [
        "",
        "   ",
        "x" * 5000,
        '"unbalanced quote',
        "!!! & | :* () <-> \\ ' '' --",
        "or and not -",
        "<script>alert('x')</script>",
        "nul\x00byte",
        "%_%",
        "推理 モデル",
        "الاستدلال",
        "🤖 reasoning",
        "Robert'); DROP TABLE articles_article;--",
    ]

    def test_hostile_queries_give_results_or_a_clear_page_never_an_error(self):
        for query in self.HOSTILE:
            with self.subTest(query=query[:30]):
                response = self.client.get("/search/", {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<script>alert")

    def test_script_in_the_query_is_shown_escaped(self):
        response = self.client.get("/search/", {"q": "<script>alert(1)</script>"})
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_clean_query_strips_control_characters_and_bounds_length(self):
        self.assertEqual(clean_query("a\x00b\x07c"), "a b c")
        self.assertEqual(len(clean_query("y" * 5000)), MAX_QUERY_LENGTH)

    def test_snippet_never_breaks_an_entity(self):
        self.assertEqual(str(snippet("fish & chips", ["amp"])), "fish &amp; chips")


class SearchPageTests(SearchTestCase):
    def test_results_page_lists_articles_and_claims_with_badges(self):
        response = self.client.get("/search/", {"q": "reasoning"})
        self.assertContains(response, "3 results for “reasoning”")
        self.assertContains(response, "Reasoning in machines")
        self.assertContains(response, self.minds_claim.code)
        self.assertContains(response, "badge--holding")
        self.assertContains(response, "<mark>")

    def test_empty_results_page_says_so_and_offers_a_way_on(self):
        response = self.client.get("/search/", {"q": "zeppelin"})
        self.assertContains(response, "Nothing found for “zeppelin”")
        self.assertContains(response, 'href="/pillars/"')

    def test_bare_page_invites_a_search(self):
        response = self.client.get("/search/")
        self.assertContains(response, "Search titles, standfirsts and text")
        self.assertNotContains(response, "csrfmiddlewaretoken")

    def test_bad_filter_is_named_next_to_its_field_and_the_words_still_search(self):
        response = self.client.get("/search/", {"q": "reasoning", "verdict": "maybe", "pillar": "nope"})
        self.assertContains(response, "Showing any verdict.")
        self.assertContains(response, "Showing all pillars.")
        # The message is tied to its field for screen readers.
        self.assertContains(response, 'aria-describedby="id_verdict_error"')
        self.assertContains(response, 'id="id_verdict_error"')
        self.assertContains(response, "Reasoning in machines")

    def test_filters_keep_what_was_chosen(self):
        response = self.client.get("/search/", {"q": "prices", "pillar": "energy", "verdict": "not_holding"})
        self.assertContains(response, '<option value="energy" selected>')
        self.assertContains(response, '<option value="not_holding" selected>')
        self.assertContains(response, "Grid prices")

    def test_query_count_is_fixed_however_many_results(self):
        for n in range(10):
            article = make_article(title=f"Reasoning {n}", pillar=self.minds)
            make_claim(article=article, is_primary=True, statement=f"Reasoning claim {n}.")
        # articles, their primary claims, claims, pillar choices, the footer's reviewed count
        with self.assertNumQueries(5):
            response = self.client.get("/search/", {"q": "reasoning"})
        self.assertContains(response, "Reasoning 9")

    def test_says_when_only_the_best_matches_are_shown(self):
        from claims.search import RESULT_LIMIT

        for n in range(RESULT_LIMIT + 1):
            make_article(title=f"Reasoning {n}")
        response = self.client.get("/search/", {"q": "reasoning"})
        self.assertContains(response, f"These are the best {RESULT_LIMIT} matches")


class WholeWordTests(SearchTestCase):
    """On the SQLite default (and PostgreSQL) a word matches whole words only:
    a reader searching "egress" is not shown pieces about regressions."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.egress = make_article(
            title="Leaving a cloud", slug="leaving",
            body_markdown="Egress fees make leaving expensive; the egress bill arrives late.",
        )
        cls.regressions = make_article(
            title="Testing agents", slug="testing",
            body_markdown="Suites catch regressions before customers do, and progress is steady.",
        )
        cls.egress_claim = make_claim(article=cls.egress, is_primary=True, statement="Egress costs deter switching.")
        make_claim(article=cls.regressions, is_primary=True, statement="Regressions are caught by suites.")

    def test_a_word_never_matches_inside_another(self):
        results = search("egress")
        self.assertEqual([a.slug for a in results.articles], ["leaving"])
        self.assertEqual([c.code for c in results.claims], [self.egress_claim.code])
        self.assertEqual(search("gress").articles, [])

    def test_case_and_plurals_still_match(self):
        self.assertEqual([a.slug for a in search("EGRESS").articles], ["leaving"])
        self.assertEqual([a.slug for a in search("regression").articles], ["testing"])
        self.assertEqual([a.slug for a in search("fee").articles], ["leaving"])

    def test_snippet_marks_whole_words_only(self):
        [hit] = search("egress").articles
        self.assertIn("<mark>Egress</mark> fees", hit.snippet)
        self.assertNotIn("r<mark>", str(snippet("regressions and egress", ["egress"])))
        self.assertEqual(str(snippet("regressions and egress", ["egress"])), "regressions and <mark>egress</mark>")


class SnippetEdgeTests(TestCase):
    TEXT = " ".join(f"word{n:03d}" for n in range(200))

    def test_a_snippet_starts_and_ends_between_words(self):
        for target in ["word000", "word050", "word120", "word199"]:
            with self.subTest(target=target):
                text = str(snippet(self.TEXT, [target]))
                self.assertIn(f"<mark>{target}</mark>", text)
                inner = text.removeprefix("… ").removesuffix(" …")
                inner = inner.replace("<mark>", "").replace("</mark>", "")
                for word in inner.split(" "):
                    self.assertRegex(word, r"^word\d{3}$")
                self.assertEqual(text.startswith("… "), target != "word000")
                self.assertEqual(text.endswith(" …"), target != "word199")

    def test_a_long_word_at_the_edge_is_kept_whole(self):
        text = "a " * 30 + "x" * 150 + " target " + "y" * 150 + " end"
        result = str(snippet(text, ["target"]))
        self.assertIn("<mark>target</mark>", result)
        for word in result.replace("<mark>", "").replace("</mark>", "").split(" "):
            self.assertIn(word, ["…", "a", "x" * 150, "target", "y" * 150, "end"])


class LongAndControlQueryTests(SearchTestCase):
    def test_a_3000_character_query_is_answered_cut_with_a_message(self):
        query = ("reasoning " * 300)[:3000]
        response = self.client.get("/search/", {"q": query})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your search was 2,999 characters long, so only its first")
        results = response.context["results"]
        self.assertLessEqual(len(results.query), MAX_QUERY_LENGTH)
        # Cut between words: no half word is searched for.
        self.assertTrue(all(word == "reasoning" for word in results.query.split()))
        self.assertContains(response, "Reasoning in machines")
        # The box shows what was searched, not the 3,000 characters.
        self.assertContains(response, f'value="{results.query}"')
        self.assertNotContains(response, query[:400])

    def test_one_long_unbroken_word_is_cut_and_the_page_says_so(self):
        response = self.client.get("/search/", {"q": "x" * 3000})
        self.assertContains(response, "Your search was 3,000 characters long, so only its first 200 were searched")
        self.assertNotContains(response, "x" * 201)

    def test_a_short_query_has_no_message(self):
        self.assertNotContains(self.client.get("/search/", {"q": "reasoning"}), "Your search was")

    def test_a_nul_byte_is_searched_as_a_space_and_never_echoed(self):
        response = self.client.get("/search/", {"q": "novel\x00puzzles"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotIn("\x00", html)
        self.assertNotIn("Null characters", html)
        self.assertEqual(response.context["results"].query, "novel puzzles")
        self.assertContains(response, "What the benchmarks miss")
        self.assertContains(response, 'value="novel puzzles"')

    def test_a_nul_alone_asks_for_words(self):
        response = self.client.get("/search/", {"q": "\x00"})
        self.assertContains(response, "Type a word or two to search.")
        self.assertNotIn("\x00", response.content.decode())


class SnippetWordStartTests(TestCase):
    def test_a_window_that_starts_on_a_word_keeps_that_word(self):
        from claims.search import SNIPPET_RADIUS

        lead = "b" * 9 + " "
        text = lead + "a" * (SNIPPET_RADIUS - 1) + " target"
        # The window opens exactly where "aaa…" begins.
        self.assertEqual(text.index("target") - SNIPPET_RADIUS, len(lead))
        self.assertEqual(str(snippet(text, ["target"])), f"… {'a' * (SNIPPET_RADIUS - 1)} <mark>target</mark>")
