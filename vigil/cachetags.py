"""Cache tags: each public response names what it shows, and each committed
action names what it touched, in the same words.

A page's tags are its objects' tags (the article, each claim on it, its pillar
and section: `a:<slug>`, `c:AM-060`, `p:<slug>`, `s:<slug>`) and, for a page
that lists objects of a kind (home, the ledger, a pillar page, a feed), that
kind's list tag (`articles`, `claims`…). An action's event names the objects it
touched (vigil.models.EventSubject); event_tags() turns each into its object
tag and its kind's list tag. So a review of AM-060 changes its claim page, its
article page and the lists (whose membership, order or badges it may move),
never the other articles' pages.

Every public response also carries SITE_TAG, so one purge can empty an edge.
What every page shows (the footer's count of claims reviewed) is the event
subject ("site", SITE_FOOTER), which purges SITE_TAG.
Kinds are the event record's (vigil.models.EventSubject); nothing here knows an app.
"""

# Short stable names: an edge cache keeps every tag of every copy it stores.
_PREFIXES = {"article": "a", "claim": "c", "pillar": "p", "section": "s", "page": "pg", "person": "u"}
SITE_TAG = "site"
SITE_FOOTER = "footer"

# Where the edge caches read them: Fastly, Cloudflare and Varnish's xkey.
TAG_HEADERS = {"Surrogate-Key": " ", "Cache-Tag": ",", "xkey": " "}


def tag(kind, key):
    return f"{_PREFIXES.get(kind, kind)}:{key}"


def list_tag(kind):
    """The tag of every page listing objects of `kind`."""
    return f"{kind}s"


def tags_of(*objects):
    """The object tags of model instances that name their public identifiers
    (`event_subjects()`, as the action pipeline reads them). None is skipped."""
    return [tag(kind, key) for obj in objects if obj is not None for kind, key in obj.event_subjects()]


def subject_tags(subjects):
    """What a change to `subjects` ((kind, key) pairs) invalidates: each
    object's tag and the list tag of its kind."""
    tags = {}
    for kind, key in subjects:
        if kind == "site":
            tags[SITE_TAG] = None
            continue
        tags[tag(kind, key)] = None
        tags[list_tag(kind)] = None
    return list(tags)


def event_tags(event):
    """What a committed event invalidates (its subjects, vigil.models.EventSubject)."""
    return subject_tags((subject.kind, subject.key) for subject in event.subjects.all())


def changed_tags(*objects):
    """What a change to model instances invalidates, as if an event named
    them: for after-commit work that is not an action (vigil.purgers.tags_purge)."""
    return subject_tags(pair for obj in objects for pair in obj.event_subjects())


def shows(request, *objects, lists=(), **keys):
    """Say what this request's page shows: model instances (tags_of), kind=key
    pairs (claim="AM-060") and the kinds it lists. vigil.pagecache sends and
    keys on the result."""
    seen = request.__dict__.setdefault("_vigil_tags", {SITE_TAG: None})
    for name in [*tags_of(*objects), *(tag(kind, key) for kind, key in keys.items())]:
        seen[name] = None
    for kind in lists:
        seen[list_tag(kind)] = None


def shown(request):
    return list(request.__dict__.get("_vigil_tags", {SITE_TAG: None}))


def set_tag_headers(response, tags):
    for header, separator in TAG_HEADERS.items():
        response.headers[header] = separator.join(tags)
