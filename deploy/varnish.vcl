vcl 4.1;
# Varnish in front of Vigil (docker-compose.yml: proxy -> varnish -> web).
#
# - Vigil says what may be kept (Cache-Control: public, s-maxage until the
#   publication's midnight; private, no-store for anyone signed in) and tags
#   every copy (xkey: a:<slug> c:AM-060 ... articles claims site).
# - After a change Vigil sends PURGE with an `xkey-purge: tag tag...` header
#   (vigil/purgers.py, VIGIL_PURGER=varnish); every copy with one of the tags
#   is expired at once (a soft purge: kept for grace, not dropped), so the next
#   reader of a hot page gets the previous copy while one fetch renders the new
#   one, and nobody waits on that render (X-Cache: stale).
# - Readers asking for one object at once wait for one fetch (Varnish's
#   request coalescing); an expired copy is served while it is fetched again
#   (grace, from stale-while-revalidate), and for a day if Vigil is down.
# - Session cookies (signed-in people) and the desk, admin and sign-in pages
#   always reach Vigil.

import std;
import xkey;

backend default {
    .host = "web";
    .port = "8000";
    # The bounded queue in front of web's sync workers (vigil/gunicorn.py):
    # twice WEB_CONCURRENCY (docker-compose.yml), so every worker has one
    # request waiting behind the one it serves and never idles, and no reader
    # waits behind more than one other. Past that the fetch fails at once and
    # vcl_backend_error answers 503 with Retry-After in milliseconds, instead
    # of queueing in gunicorn's backlog until Vigil sheds it (vigil/shedding.py)
    # after seconds. Cached pages are not fetches: they keep being served.
    .max_connections = 8;
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = {
        .request = "HEAD /healthz/ HTTP/1.1" "Host: localhost" "Connection: close";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
    }
}

# Who may purge: Vigil's web and worker containers (and loopback).
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        set req.http.n-gone = xkey.softpurge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(desk|admin|accounts)(/|$)") {
        return (pass);
    }
    # Marketing parameters change nothing Vigil shows: one copy for all.
    set req.url = regsuball(req.url, "(?i)([?&])(utm_[a-z]+|fbclid|gclid|mc_[a-z]+)=[^&]*", "\1");
    set req.url = regsuball(req.url, "[?&]+$", "");
    set req.url = regsub(req.url, "\?&+", "?");
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        # Signed in: their pages are their own (and Vigil marks them private).
        return (pass);
    }
    # Anyone else's cookies (a CSRF token, analytics) change nothing a shared
    # page shows: drop them so every reader shares one copy.
    unset req.http.Cookie;
    # While Vigil answers, serve an expired copy only briefly (it is being
    # fetched again); when it does not, yesterday's page beats an error.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_backend_response {
    # Up to a day of stale-if-error; how fresh a copy is comes from s-maxage.
    set beresp.grace = 24h;
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "private|no-store") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Compress text for storage; clients that do not take gzip get it unzipped.
    if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|atom\+xml|rss\+xml|ld\+json))") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } elsif (obj.ttl <= 0s) {
        # Expired (purged): served from grace while a fetch renders it again.
        set resp.http.X-Cache = "stale";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # Browsers do not need the tags, and the private headers are not for them.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}

sub vcl_backend_error {
    # Web is at its bound (max_connections above), or does not answer: say so
    # now, with when to come back, and keep no copy of the refusal.
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.http.Cache-Control = "no-store";
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    synthetic("Vigil is busy. Please try again in a few seconds." + {"
"});
    return (deliver);
}
