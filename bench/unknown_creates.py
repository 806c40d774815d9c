"""Unknown creates: the share copper-mcp resolves after losing their answer, and whether any resolution is wrong.

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
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2
from mcp import Client

from bench.figure import UNLIMITED_CLIENT, UNLIMITED_SANDBOX, Figure, Options, Row, markdown_table
from copper_mcp.recover import CLOCK_SLACK
from copper_mcp.sandbox import create_app
from tests.conftest import shaped_server
from tests.faults import Fault, LostAnswers, is_create
from tests.test_recover import call, someone_else_creates

SEED = 12
CLIENT_LOGGER = "copper_mcp.client"
"""Where CopperClient logs each retry."""
FAULTS = {
    Fault.TIMEOUT_AFTER: 0.20,
    Fault.DROP_AFTER: 0.10,
    Fault.ERROR_AFTER: 0.10,
    Fault.DROP_BEFORE: 0.35,
    Fault.ERROR_BEFORE: 0.25,
}
"""About 40% of lost answers belong to stored creates, as in the run issue #12 reports (19 of about 50)."""
NO_LOOK_ALIKE, EXACT_COPY = "none", "exact copy"
LOOK_ALIKES = {NO_LOOK_ALIKE: 0.80, "differs in one field": 0.15, EXACT_COPY: 0.05}
"""What another user made in the sandbox just before the create."""
VERDICTS = ("created", "not created", "still unknown")
"""What the model can be told of a create whose answer was lost."""

Create = tuple[str, str, dict[str, Any], dict[str, Any]]
"""(tool, path, arguments, one field changed for a look-alike)."""
Key = TypeVar("Key")


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
    ]  # fmt: skip
    return creates[index % len(creates)]


def draw(rng: random.Random, weights: dict[Key, float]) -> Key:
    """One key of ``weights``, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def judged(failed: bool, text: str) -> str:
    """What the model was told: created, not created, still unknown, or something else."""
    if not failed:
        return "created"
    if "It was not created" in text:
        return "not created"
    return "still unknown" if "still unknown" in text else f"other: {text[:80]}"


@dataclass
class Tally:
    """The answers of one run, checked against what the sandbox stored."""

    answers: Counter[tuple[str, Fault, str]] = field(default_factory=Counter)
    """(verdict, fault, look-alike) -> creates."""
    wrong: list[str] = field(default_factory=list)
    copies: Counter[str] = field(default_factory=Counter)
    """Tool -> creates answered with another user's exact copy while nothing was stored."""
    stored: int = 0
    seconds: float = 0.0

    def count(self, verdict: str | None = None, look_alike: str | None = None) -> int:
        """Creates with this verdict and look-alike (None: any)."""
        return sum(
            n for (v, _fault, look), n in self.answers.items() if verdict in (None, v) and look_alike in (None, look)
        )

    def resolved(self, look_alike: str | None = None) -> int:
        """Creates answered created or not created."""
        return self.count("created", look_alike) + self.count("not created", look_alike)


async def run(creates: int, seed: int) -> Tally:
    """Send ``creates`` creates, each losing its answer, and check every answer."""
    rng = random.Random(seed)
    faults: list[Fault] = []

    def plan(request: httpx2.Request) -> Fault | None:
        return faults.pop() if faults and is_create(request) else None

    transport = LostAnswers(httpx2.ASGITransport(app=create_app(UNLIMITED_SANDBOX)), plan)
    tally = Tally()
    started = time.perf_counter()
    # Every injected fault would log a retry warning: hundreds of lines saying what the run intends.
    with only_errors(CLIENT_LOGGER):
        async with Client(shaped_server(transport=transport, limits=UNLIMITED_CLIENT)) as mcp:
            people = (await mcp.call_tool("search_people", {"page_size": 200, "raw": True})).structured_content
            if people is None:
                raise RuntimeError("search_people failed")
            parents = [person["id"] for person in people["records"]]
            for index in range(creates):
                tool, path, arguments, changed = create(index, parents[index % len(parents)])
                look_alike = draw(rng, LOOK_ALIKES)
                if look_alike != NO_LOOK_ALIKE:
                    copy = arguments if look_alike == EXACT_COPY else {**arguments, **changed}
                    await someone_else_creates(transport, path, copy)
                faults.append(draw(rng, FAULTS))
                failed, text = await call(mcp, tool, arguments)
                lost = transport.lost[-1]
                stored = lost.stored["id"] if isinstance(lost.stored, dict) else None
                verdict = judged(failed, text)
                case = f"{tool} ({lost.fault.value}, look-alike: {look_alike}): answered {verdict}"
                if verdict == "created" and json.loads(text)["id"] != stored:
                    if stored is None and look_alike == EXACT_COPY:
                        tally.copies[tool] += 1
                    else:
                        tally.wrong.append(case)
                elif verdict == "not created" and stored is not None:
                    tally.wrong.append(case)
                tally.answers[(verdict, lost.fault, look_alike)] += 1
    tally.stored = sum(1 for lost in transport.lost if lost.stored is not None)
    tally.seconds = time.perf_counter() - started
    return tally


@contextmanager
def only_errors(logger: str) -> Iterator[None]:
    """Inside, ``logger`` passes on errors only."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def share(part: int, whole: int) -> str:
    """``part/whole (pct)``."""
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"


async def measure(options: Options) -> Figure:
    """Run ``options.creates`` creates under the fault mix; wrong answers must be none."""
    tally = await run(options.creates, SEED)
    total = tally.count()
    resolved = tally.resolved()
    row = Row(
        f"unknown creates: {total} creates whose answer was lost (fault mix in the notes)",
        f"resolved {share(resolved, total)}, {len(tally.wrong)} wrong",
        f"{total} unknown without the lookup ({tally.stored} stored)",
        f"{resolved / total:.2f} resolved",
        "0 wrong",
        not tally.wrong,
    )
    table = markdown_table(
        ["look-alike", "fault", *VERDICTS],
        (
            [look, fault.value, *cells]
            for look in LOOK_ALIKES
            for fault in FAULTS
            if any(cells := [tally.answers[(verdict, fault, look)] for verdict in VERDICTS])
        ),
        indent="  ",
    )
    others = total - resolved - tally.count("still unknown")
    copies = ", ".join(f"{tool} {n}" for tool, n in sorted(tally.copies.items()))
    notes = [
        f"- **Unknown creates**: {total} creates, the seven record entities in turn with fresh names and "
        "emails, each through an in-memory MCP client (`shaped_server` of `tests/conftest.py`, limits raised) "
        "to an in-process sandbox whose transport (`tests/faults.py`) loses its answer by a fault drawn from "
        f"the mix (seed {SEED}): {', '.join(f'{fault.value} {weight:.0%}' for fault, weight in FAULTS.items())}. "
        "Just before some creates another user makes a look-alike in the sandbox: "
        f"{', '.join(f'{kind} {weight:.0%}' for kind, weight in LOOK_ALIKES.items())} (an exact copy, or the "
        "same identity with one other field different). The lookup searches records created since "
        f"{CLOCK_SLACK} s before the create was sent. Each answer is checked against what the sandbox stored: "
        '"created" is right when it names the record this create stored, "not created" when nothing was '
        'stored; "still unknown" is unresolved, never wrong. Answered "created" with another user\'s exact '
        f"copy while nothing was stored (no search can tell the two apart; the record asked for exists): "
        f"{sum(tally.copies.values())}{f' ({copies})' if copies else ''}, counted apart, not as wrong.",
        f"  Stored by the sandbox: {tally.stored}; told created: {tally.count('created')}; told not created: "
        f"{tally.count('not created')}; other answers: {others}. Without a look-alike: "
        f"{share(tally.resolved(NO_LOOK_ALIKE), tally.count(look_alike=NO_LOOK_ALIKE))} resolved. "
        f"Wrong: {'; '.join(tally.wrong) or 'none'}. The run took {tally.seconds:.1f} s.",
        "",
        *table,
        "",
    ]
    return Figure(row, notes)
