"""Unknown creates: the share copper-mcp resolves after losing their answer, and whether any resolution is wrong.

    .venv/bin/python bench/unknown_creates.py                # 1,000 creates (about 6 s)
    .venv/bin/python bench/unknown_creates.py --creates 100  # quicker

Every create (the seven record entities in turn, each with fresh names and emails) goes through an
in-memory MCP client to a server on an in-process sandbox whose transport loses its answer
(``tests/faults.py``), by a fault drawn from ``FAULTS``: after the sandbox stored the create (the
answer times out, the connection drops, or a 502 comes back) or before it saw it (the connection
drops, or a 503). Before some creates another user makes a look-alike in the sandbox: an exact
copy, or the same identity (email, domain, name, or parent and type) with one other field different.

Each answer is checked against what the sandbox stored: "created" is right when the record answered
is the one this create stored, "not created" when it stored nothing; "still unknown" is unresolved
and never wrong. One case is counted apart: "created" answered with another user's exact copy when
this create stored nothing (no search can tell the two apart; the record asked for does exist).
The report goes to bench/UNKNOWN_CREATES.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.types import TextContent

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests/faults.py: the one fault transport, shared with the tests

from copper_mcp.client import CopperClient, RateLimits  # noqa: E402
from copper_mcp.core.settings import Settings  # noqa: E402
from copper_mcp.mcp import build_server  # noqa: E402
from copper_mcp.recover import CLOCK_SLACK  # noqa: E402
from copper_mcp.sandbox import SandboxConfig, create_app  # noqa: E402
from tests.faults import Fault, LostAnswers, is_create  # noqa: E402

OUTPUT = REPO / "bench" / "UNKNOWN_CREATES.md"
SANDBOX_URL = "http://sandbox.bench/developer_api/v1"
UNLIMITED = 10**9
"""Rate limits for this run: it measures resolutions, not limiting."""

FAULTS = {
    Fault.TIMEOUT_AFTER: 0.20,
    Fault.DROP_AFTER: 0.10,
    Fault.ERROR_AFTER: 0.10,
    Fault.DROP_BEFORE: 0.35,
    Fault.ERROR_BEFORE: 0.25,
}
"""About 40% of lost answers belong to stored creates, as in the run issue #12 reports (19 of about 50)."""
LOOK_ALIKES = {"none": 0.80, "differs in one field": 0.15, "exact copy": 0.05}
"""What another user made in the sandbox just before the create."""

Create = tuple[str, str, dict[str, Any], dict[str, Any]]
"""(tool, path, arguments, one field changed for a look-alike)."""


def create(index: int, parent: int) -> Create:
    """The create number ``index``: entities in turn, names and emails of its own."""
    creates: list[Create] = [
        ("create_person", "/people",
         {"name": f"Bench Person {index}", "title": "Buyer",
          "emails": [{"email": f"p{index}@bench.example", "category": "work"}]}, {"title": "Owner"}),
        ("create_company", "/companies",
         {"name": f"Bench Co {index}", "email_domain": f"co{index}.bench.example"}, {"name": f"Other Co {index}"}),
        ("create_lead", "/leads",
         {"name": f"Bench Lead {index}", "email": {"email": f"l{index}@bench.example", "category": "work"}},
         {"name": f"Other Lead {index}"}),
        ("create_opportunity", "/opportunities", {"name": f"Bench Deal {index}", "monetary_value": 1000 + index},
         {"monetary_value": 1}),
        ("create_project", "/projects", {"name": f"Bench Project {index}", "details": "Phase one"},
         {"details": "Phase two"}),
        ("create_task", "/tasks", {"name": f"Bench Task {index}", "priority": "High"}, {"priority": "None"}),
        ("create_activity", "/activities",
         {"parent": {"id": parent, "type": "person"}, "type": {"category": "user", "id": 0},
          "details": f"Bench note {index}"}, {"details": f"Other note {index}"}),
    ]
    return creates[index % len(creates)]


def draw(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


async def run(creates: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    faults: list[Fault] = []

    def plan(request: httpx2.Request) -> Fault | None:
        return faults.pop() if faults and is_create(request) else None

    app = create_app(SandboxConfig(requests_per_minute=UNLIMITED, bulk_requests_per_second=UNLIMITED))
    transport = LostAnswers(httpx2.ASGITransport(app=app), plan)
    settings = Settings(api_key="bench-key", user_email="bench@example.com", base_url=SANDBOX_URL)
    client = CopperClient(api_key=settings.api_key, user_email=settings.user_email, base_url=SANDBOX_URL,
                          transport=transport, limits=RateLimits(per_minute=UNLIMITED, bulk_per_second=UNLIMITED))
    other = httpx2.AsyncClient(transport=transport.inner, base_url=SANDBOX_URL, headers={
        "X-PW-AccessToken": "other", "X-PW-Application": "developer_api", "X-PW-UserEmail": "other@example.com"})
    tally: Counter[tuple[str, str, str]] = Counter()
    wrong: list[str] = []
    copies: list[str] = []
    """Tools whose create was answered with another user's exact copy."""
    started = time.perf_counter()
    async with Client(build_server(settings, client)) as mcp, other:
        people = (await mcp.call_tool("search_people", {"page_size": 200, "raw": True})).structured_content
        assert people is not None, "search_people failed"
        parents = [person["id"] for person in people["records"]]
        for index in range(creates):
            tool, path, arguments, changed = create(index, parents[index % len(parents)])
            look_alike = draw(rng, LOOK_ALIKES)
            if look_alike != "none":
                copy = arguments if look_alike == "exact copy" else {**arguments, **changed}
                made = await other.post(path, json=copy)
                made.raise_for_status()
            faults.append(draw(rng, FAULTS))
            result = await mcp.call_tool(tool, arguments)
            text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
            lost = transport.lost[-1]
            stored = lost.stored["id"] if isinstance(lost.stored, dict) else None
            verdict = judged(bool(result.is_error), text)
            case = f"{tool} ({lost.fault.value}, look-alike: {look_alike}): answered {verdict}"
            if verdict == "created" and json.loads(text)["id"] != stored:
                if stored is None and look_alike == "exact copy":
                    copies.append(tool)
                else:
                    wrong.append(case)
            elif verdict == "not created" and stored is not None:
                wrong.append(case)
            tally[(verdict, lost.fault.value, look_alike)] += 1
    stored = sum(1 for lost in transport.lost if lost.stored is not None)
    seconds = time.perf_counter() - started
    return {"tally": tally, "wrong": wrong, "copies": copies, "stored": stored, "seconds": seconds}


def judged(failed: bool, text: str) -> str:
    """What the model was told: created, not created, still unknown, or something else."""
    if not failed:
        return "created"
    if "It was not created" in text:
        return "not created"
    return "still unknown" if "still unknown" in text else f"other: {text[:80]}"


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"


def report(result: dict[str, Any], seed: int, command: str) -> str:
    tally: Counter[tuple[str, str, str]] = result["tally"]
    verdicts: Counter[str] = Counter()
    for (verdict, _fault, _look), n in tally.items():
        verdicts[verdict] += n
    total = sum(verdicts.values())
    resolved = verdicts["created"] + verdicts["not created"]
    plain = sum(n for (_verdict, _fault, look), n in tally.items() if look == "none")
    plain_resolved = sum(
        n for (verdict, _fault, look), n in tally.items() if look == "none" and verdict != "still unknown"
    )
    lines = [
        "# Unknown creates",
        "",
        "Written by `bench/unknown_creates.py`; every figure below is counted by that run.",
        "",
        f"- Command: `{command}` (from the repository root), seed {seed}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the run took {result['seconds']:.1f} s",
        f"- Fault mix: {', '.join(f'{fault.value} {weight:.0%}' for fault, weight in FAULTS.items())}",
        f"- Look-alikes made by another user just before: "
        f"{', '.join(f'{kind} {weight:.0%}' for kind, weight in LOOK_ALIKES.items())}",
        f"- Window: records created since {CLOCK_SLACK} s before the create was sent",
        "",
        f"**Resolved: {share(resolved, total)}** of {total} creates whose answer was lost; "
        f"**wrong answers: {len(result['wrong'])}**; answered with another user's exact copy while nothing "
        f"was stored: {len(result['copies'])}.",
        "",
        "| look-alike | fault | created | not created | still unknown |",
        "| --- | --- | --- | --- | --- |",
    ]
    for look in LOOK_ALIKES:
        for fault in FAULTS:
            cells = [tally[(verdict, fault.value, look)] for verdict in ("created", "not created", "still unknown")]
            if any(cells):
                lines.append(f"| {look} | {fault.value} | " + " | ".join(map(str, cells)) + " |")
    others = total - resolved - verdicts["still unknown"]
    lines += [
        "",
        f"- Stored by the sandbox: {result['stored']}; told created: {verdicts['created']}; "
        f"told not created: {verdicts['not created']}; other answers: {others}.",
        f"- Without a look-alike: {share(plain_resolved, plain)} resolved.",
    ]
    lines += [f"- Wrong: {line}" for line in result["wrong"]]
    if result["copies"]:
        by_tool = Counter(result["copies"])
        lines.append("- Answered with another user's exact copy: " + ", ".join(
            f"{tool} {n}" for tool, n in sorted(by_tool.items())) + ".")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    result = anyio.run(run, args.creates, args.seed)
    command = " ".join([".venv/bin/python", "bench/unknown_creates.py", *sys.argv[1:]])
    text = report(result, args.seed, command)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
