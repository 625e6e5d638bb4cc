"""Prometheus metrics (seed section 10.3). Labels are route templates and codes, never PHI."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("receptionist_requests_total", "HTTP requests", ("method", "route", "status"),
                   registry=REGISTRY)
REQUEST_SECONDS = Histogram("receptionist_request_duration_seconds", "HTTP request latency", ("route",),
                            buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10), registry=REGISTRY)
ACTIVE_SESSIONS = Gauge("receptionist_active_sessions", "Conversations active in the last session TTL",
                        registry=REGISTRY)
INTENT_SECONDS = Histogram("receptionist_intent_classification_seconds", "Understanding latency",
                           ("engine",), buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2),
                           registry=REGISTRY)
SAFETY_BLOCKS = Counter("receptionist_safety_blocks_total", "Messages stopped or redirected by safety",
                        ("stage", "action"), registry=REGISTRY)
RATE_LIMITED = Counter("receptionist_rate_limited_total", "Requests refused by the rate limiter", ("tier",),
                       registry=REGISTRY)
TURN_SECONDS = Histogram("receptionist_turn_stage_seconds", "Per-turn stage latency on calls", ("stage",),
                         buckets=(.01, .025, .05, .1, .2, .3, .5, .8, 1.2, 2, 5), registry=REGISTRY)
