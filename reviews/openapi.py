"""The OpenAPI 3.1 description of the read-only JSON API (reviews.api)."""

from claims.models import Verdict

from .api import DEFAULT_PAGE_SIZE, DUE_STATUSES, MAX_PAGE_SIZE


def _error():
    return {
        "description": "A bad parameter value, named in `parameter`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def description(*, server):
    validators = {
        "ETag": {"schema": {"type": "string"}, "description": "Send back as If-None-Match."},
        "Last-Modified": {"schema": {"type": "string"}, "description": "Send back as If-Modified-Since."},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vigil claims API",
            "version": "1",
            "description": (
                "Read-only claims, verdicts and reviews of published articles. Verdicts are "
                "holding, partial or not_holding. Poll cheaply: every answer carries ETag and "
                "Last-Modified, and a request that sends them back gets 304 Not Modified while "
                "nothing changed."
            ),
        },
        "servers": [{"url": server}],
        "paths": {
            "/claims/": {
                "get": {
                    "operationId": "listClaims",
                    "summary": "Claims of published articles, ordered by id, in pages.",
                    "parameters": [
                        {"name": "verdict", "in": "query", "schema": {"type": "string", "enum": Verdict.values}},
                        {"name": "pillar", "in": "query", "schema": {"type": "string"}, "description": "A pillar's slug."},
                        {"name": "due", "in": "query", "schema": {"type": "string", "enum": list(DUE_STATUSES)}},
                        {
                            "name": "changed_since", "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                            "description": "ISO 8601 date or date-time: claims updated at or after it.",
                        },
                        {
                            "name": "page_size", "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                        },
                        {
                            "name": "cursor", "in": "query", "schema": {"type": "string"},
                            "description": "Opaque; copy it from the `next` link of the previous page.",
                        },
                        {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                        {"name": "If-Modified-Since", "in": "header", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of claims.",
                            "headers": validators,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClaimPage"}}},
                        },
                        "304": {"description": "Not modified since the ETag or date sent."},
                        "400": _error(),
                    },
                }
            },
            "/claims/{code}/": {
                "get": {
                    "operationId": "getClaim",
                    "summary": "One claim with its reviews, article and corrections.",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}, "example": "AM-060"},
                    ],
                    "responses": {
                        "200": {
                            "description": "The claim.",
                            "headers": validators,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClaimDetail"}}},
                        },
                        "304": {"description": "Not modified."},
                        "404": _error() | {"description": "No published claim has this code."},
                    },
                }
            },
            "/claims/{code}/reviews/": {
                "get": {
                    "operationId": "listClaimReviews",
                    "summary": "A claim's review history, newest first; follow `next` to page.",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}, "example": "AM-060"},
                        {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of reviews: {claim, next, results: [{id, reviewed_on, verdict_before, verdict_after, verdict_changed, cadence_days, next_review_due, reasoning, evidence_considered}]}.",
                            "headers": validators,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "304": {"description": "Not modified."},
                        "400": _error(),
                        "404": _error() | {"description": "No published claim has this code."},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "parameter": {"type": "string"}},
                },
                "Article": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "published_on": {"type": ["string", "null"], "format": "date"},
                        "pillar": {"type": ["string", "null"]},
                        "section": {"type": "string"},
                    },
                },
                "Claim": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "api_url": {"type": "string", "format": "uri"},
                        "statement": {"type": "string"},
                        "is_primary": {"type": "boolean"},
                        "verdict": {"type": "string", "enum": Verdict.values},
                        "verdict_label": {"type": "string"},
                        "cadence_days": {"type": "integer", "minimum": 30, "maximum": 90},
                        "last_reviewed_on": {"type": ["string", "null"], "format": "date"},
                        "next_review_due": {"type": "string", "format": "date"},
                        "due_status": {"type": "string", "enum": list(DUE_STATUSES)},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "article": {"$ref": "#/components/schemas/Article"},
                    },
                },
                "ClaimPage": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "next": {"type": ["string", "null"], "format": "uri"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Claim"}},
                    },
                },
                "Review": {
                    "type": "object",
                    "properties": {
                        "reviewed_on": {"type": "string", "format": "date"},
                        "verdict_before": {"type": "string", "enum": Verdict.values},
                        "verdict_after": {"type": "string", "enum": Verdict.values},
                        "verdict_changed": {"type": "boolean"},
                        "cadence_days": {"type": "integer"},
                        "next_review_due": {"type": "string", "format": "date"},
                        "reasoning": {"type": "string"},
                        "evidence_considered": {"type": "string"},
                    },
                },
                "ClaimDetail": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Claim"},
                        {
                            "type": "object",
                            "properties": {
                                "holding_up_note": {"type": "string"},
                                "evidence_triggers": {"type": "array", "items": {"type": "object"}},
                                "reviews": {"type": "array", "items": {"$ref": "#/components/schemas/Review"}},
                                "corrections": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                    ]
                },
            }
        },
    }
