"""A plain httpx client of the bkend REST API, with the seed document's headers.

It signs a user up (`/v1/auth/email/signup`), then writes and reads the `todos` table made by
`examples/todo-web/setup.py` with `x-project-id`, `x-environment` and `Authorization: Bearer <user token>`:
an insert, a validation error, a duplicate error, and a filtered, sorted query read page by page.

    python examples/python-client/client.py --base-url http://127.0.0.1:8000 --project proj_… --key pk_…

Each option also reads an environment variable: BKEND_URL, BKEND_PROJECT_ID, BKEND_PUBLISHABLE_KEY.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets

import httpx


def show(label: str, response: httpx.Response) -> dict:
    body = response.json()
    print(f"{label}: {response.status_code} {json.dumps(body, ensure_ascii=False)}")
    return body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("BKEND_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--project", default=os.environ.get("BKEND_PROJECT_ID"), help="project id or slug")
    parser.add_argument("--key", default=os.environ.get("BKEND_PUBLISHABLE_KEY"), help="publishable key pk_…")
    parser.add_argument("--environment", default=os.environ.get("BKEND_ENVIRONMENT", "dev"))
    args = parser.parse_args(argv)
    if not args.project or not args.key:
        parser.error("--project and --key are required (or BKEND_PROJECT_ID and BKEND_PUBLISHABLE_KEY)")
    run = secrets.token_hex(3)  # keeps e-mail addresses and slugs of repeated runs apart

    with httpx.Client(base_url=args.base_url, timeout=10) as http:
        # 1. a user: sign up with the publishable key, keep the access token
        user = {"email": f"py-{run}@example.com", "password": f"client pass {run}", "name": "Py"}
        signup = http.post("/v1/auth/email/signup", headers={"X-API-Key": args.key}, json=user)
        signup.raise_for_status()
        token = signup.json()["accessToken"]
        print(f"signed up: {signup.json()['user']['email']}")

        # 2. the seed document's headers
        http.headers.update({"x-project-id": args.project, "x-environment": args.environment,
                             "Authorization": f"Bearer {token}"})  # fmt: skip

        # 3. insert
        created = show("insert", http.post("/v1/data/todos", json={"title": "Write the report", "priority": "high",
                                                                  "slug": f"report-{run}"}))  # fmt: skip
        for i, priority in enumerate(["low", "high", "normal", "high", "high"], start=1):
            http.post("/v1/data/todos", json={"title": f"Chore {i}", "priority": priority}).raise_for_status()

        # 4. a validation error: no title, a priority outside the enum, a slug breaking its pattern
        show("validation error", http.post("/v1/data/todos", json={"priority": "urgent", "slug": "Not OK"}))

        # 5. a duplicate: the unique slug again
        show("duplicate error", http.post("/v1/data/todos", json={"title": "Again", "slug": created["slug"]}))

        # 6. a filtered, sorted query, two per page: open high-priority todos by title
        query = {"andFilters": json.dumps({"priority": "high", "done": False}), "sortBy": "title",
                 "sortDirection": "asc", "limit": 2}  # fmt: skip
        page = 1
        while True:
            body = http.get("/v1/data/todos", params={**query, "page": page}).json()
            pagination = body["pagination"]
            titles = ", ".join(item["title"] for item in body["items"])
            print(f"page {pagination['page']}/{pagination['totalPages']} (total {pagination['total']}): {titles}")
            if not pagination["hasNext"]:
                break
            page += 1


if __name__ == "__main__":
    main()
