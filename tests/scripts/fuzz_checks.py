"""Schemathesis checks for storefront's fuzz pass (tests/scripts/fuzz.sh).

GraphQL answers a refused operation with `errors` and HTTP 200, which schemathesis' own
GraphQL check counts as a failure; here only what would be a fault on our side fails: a 5xx,
an error answer that is not JSON (every dialect's errors are JSON; a few Medusa successes are
plain text by contract, `OK` and `Created`), or a GraphQL error whose code says the server
failed.
"""

import schemathesis

SERVER_CODES = {"INTERNAL", "INTERNAL_SERVER_ERROR"}


@schemathesis.check
def no_server_fault(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}: {response.text[:300]}")
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if response.status_code >= 400 and response.content and "json" not in content_type:
        raise AssertionError(f"not JSON ({content_type}): {response.text[:300]}")
    if "json" in content_type and response.content:
        body = response.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors or []:
            code = (error.get("extensions") or {}).get("code")
            if code in SERVER_CODES:
                raise AssertionError(f"GraphQL server fault: {error}")
    return None
