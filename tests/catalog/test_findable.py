"""Tools are found by the user's words: hosts that load tool definitions lazily search the catalogue.

Claude Code, Copilot CLI and others defer our tools and find them with keyword search (BM25 or
regex) over names and descriptions, from what the user said. Users say "deal", "contact",
"call", "note", "follow-up"; Copper says "opportunity", "person", "activity", "task". Each
request below is an ordinary one, paired with the tool a model should call first. The ranking
is plain Okapi BM25 over each tool's name, title, description and input property names, with
lower-casing and a naive plural fold, the least a host's search does.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from copper_mcp.catalog import Operation, load_catalog

REQUESTS: list[tuple[str, str]] = [
    ("which open deals over $10k close this month", "search_opportunities"),
    ("pipeline value by stage this quarter", "search_opportunities"),
    ("deals won per month this year", "search_opportunities"),
    ("total value of won deals by owner", "search_opportunities"),
    ("how many open tasks does each person have", "search_tasks"),
    ("leads by source since September", "search_leads"),
    ("count contacts by contact type", "search_people"),
    ("how many calls did each rep log last week", "search_activities"),
    ("show me the deals Dana owns", "search_opportunities"),
    ("deals we lost to a competitor last month", "search_opportunities"),
    ("move the Acme deal to negotiation", "update_opportunity"),
    ("mark the Globex opportunity as won", "update_opportunity"),
    ("create a new deal for Initech worth 25k", "create_opportunity"),
    ("find the contact Dana Whitfield", "search_people"),
    ("who is our contact at Acme", "search_people"),
    ("look up the person with email dana@acme.com", "fetch_person_by_email"),
    ("add a new contact Priya Shah, VP Sales at Hooli", "create_person"),
    ("change Dana's phone number", "update_person"),
    ("delete the duplicate contact", "delete_person"),
    ("import these ten contacts at once", "bulk_create_people"),
    ("find the account Acme Corp", "search_companies"),
    ("companies in Texas we haven't contacted in 90 days", "search_companies"),
    ("add a company called Vandelay Industries", "create_company"),
    ("update the address of the Hooli account", "update_company"),
    ("log my call with Dana at Acme", "create_activity"),
    ("add a note to the Globex deal", "create_activity"),
    ("record the meeting I just had with Priya", "create_activity"),
    ("meetings I had last week", "search_activities"),
    ("what calls did the team log today", "search_activities"),
    ("show the activity history of the Acme deal", "list_record_activities"),
    ("add a follow-up task for Friday", "create_task"),
    ("remind me to send the proposal on Monday", "create_task"),
    ("my open tasks due this week", "search_tasks"),
    ("overdue follow-ups", "search_tasks"),
    ("mark the follow-up task as done", "update_task"),
    ("new leads from the website since September", "search_leads"),
    ("add a lead from the trade show", "create_lead"),
    ("convert the lead Jane Doe into a contact and a deal", "convert_lead"),
    ("qualify the lead and change its status", "update_lead"),
    ("which stages does the sales pipeline have", "list_pipelines"),
    ("who are the users on our team", "search_users"),
    ("what reasons do we record for lost deals", "list_loss_reasons"),
    ("which lead sources do we track", "list_customer_sources"),
    ("what custom fields do opportunities have", "list_custom_field_definitions"),
    ("add a dropdown field called Region to companies", "create_custom_field_definition"),
    ("link this contact to the Acme deal", "add_related_item"),
    ("what is linked to the Acme deal", "list_related_items"),
    ("notify our Slack endpoint when a deal changes", "create_webhook"),
    ("what projects are open for Acme", "search_projects"),
    ("start an onboarding project for the new customer", "create_project"),
    ("which tags are in use", "list_tags"),
    ("what time zone is our CRM account in", "get_account"),
    ("what activity types like site visit do we have", "list_custom_activity_types"),
    ("which fields does the deal form show", "get_field_layout"),
    ("who referred this contact", "list_related_links"),
    ("record that Dana was referred by Priya", "create_related_link"),
]

RECALL_TARGET = 0.9
_K1, _B = 1.2, 0.75


def tokens(text: str) -> list[str]:
    """Lower-cased words with a naive plural fold (deals -> deal, companies -> company)."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("_", " "))
    return [_singular(word) for word in words]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def document(op: Operation) -> list[str]:
    """What a host's search reads of a tool: name, title, description and input property names."""
    return tokens(" ".join([op.name, op.shown_title or "", op.description, *op.input_schema.get("properties", {})]))


def rank(request: str, operations: tuple[Operation, ...]) -> list[str]:
    """Tool names by BM25 score for the request, best first (ties in catalogue order)."""
    docs = [Counter(document(op)) for op in operations]
    lengths = [sum(doc.values()) for doc in docs]
    average = sum(lengths) / len(docs)
    query = tokens(request)
    scores = []
    for doc, length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in query:
            having = sum(1 for other in docs if term in other)
            if not having or term not in doc:
                continue
            idf = math.log(1 + (len(docs) - having + 0.5) / (having + 0.5))
            frequency = doc[term]
            score += idf * frequency * (_K1 + 1) / (frequency + _K1 * (1 - _B + _B * length / average))
        scores.append(score)
    order = sorted(range(len(operations)), key=lambda i: -scores[i])
    return [operations[i].name for i in order]


def recall_at(k: int) -> tuple[float, list[tuple[str, str, list[str]]]]:
    """Share of requests whose tool ranks in the top k, and the misses (request, tool, top k)."""
    operations = load_catalog().operations
    misses = []
    for request, tool in REQUESTS:
        top = rank(request, operations)[:k]
        if tool not in top:
            misses.append((request, tool, top))
    return 1 - len(misses) / len(REQUESTS), misses


def test_the_request_set_is_large_enough_and_names_real_tools() -> None:
    names = {op.name for op in load_catalog().operations}
    assert len(REQUESTS) >= 40
    assert {tool for _, tool in REQUESTS} <= names


def test_the_right_tool_ranks_in_the_top_three_for_ordinary_requests() -> None:
    recall, misses = recall_at(3)
    assert recall >= RECALL_TARGET, misses


def test_the_ranking_prefers_matching_words() -> None:
    """Guards the ranker itself: a request that is a tool's title finds that tool first."""
    operations = load_catalog().operations
    assert rank("Get person by email", operations)[0] == "fetch_person_by_email"
    assert tokens("Companies' deals") == ["company", "deal"]
