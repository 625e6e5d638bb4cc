"""The bottom layer: settings, errors, request context, auth and rate-limit middleware, OpenAPI
helpers, metrics and logging. Every package may import it; it imports none of them."""
