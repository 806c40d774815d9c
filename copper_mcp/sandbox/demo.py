"""Deterministic demo data: a small B2B analytics vendor's CRM.

Everything comes from ``random.Random(seed)`` and dates are relative to a fixed epoch
(2026-11-01 UTC), so the same seed always yields the same records.
"""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from copper_mcp.sandbox import activitytypes, connect
from copper_mcp.sandbox.customfields import DEFINITIONS, validate_definition
from copper_mcp.sandbox.entities import ENTITIES, unix_to_mdy
from copper_mcp.sandbox.errors import ApiError
from copper_mcp.sandbox.records import LINKS, Records
from copper_mcp.sandbox.recordtypes import RECORD_TYPES
from copper_mcp.sandbox.reference import ACCOUNT
from copper_mcp.sandbox.store import Store

EPOCH = 1_793_491_200  # 2026-11-01T00:00:00Z
DAY = 86_400
ZONE = ZoneInfo(str(ACCOUNT["primary_timezone"]))


def local_midnight(days: int) -> int:
    """Unix seconds of midnight in the account's zone, ``days`` after 2026-11-01.

    Copper keeps a Date custom field as the start of that day in the account's time zone
    (its example account, on Pacific time, shows 1518595200 = 2018-02-14T00:00-08:00).
    """
    day = datetime(2026, 11, 1, tzinfo=ZONE) + timedelta(days=days)
    return int(day.timestamp())

COMPANY_WORDS = (
    "Acme", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Keystone", "Lumen", "Meridian", "Northwind", "Orchid", "Pinnacle", "Quarry", "Redwood",
    "Summit", "Tidal", "Umber", "Vantage", "Willow", "Xenon", "Yarrow", "Zephyr",
)  # fmt: skip
COMPANY_SUFFIXES = ("Labs", "Logistics", "Health", "Foods", "Capital", "Robotics", "Retail", "Systems")
FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gavin", "Hana", "Isaac", "Jade", "Kofi", "Lena",
    "Mateo", "Nina", "Omar", "Paula", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Brooks", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Kim", "Lopez", "Murphy", "Nguyen", "Olsen", "Patel", "Reyes", "Schmidt", "Tanaka", "Walsh",
)  # fmt: skip
CITIES = (
    ("Boston", "MA", "02110"), ("New York", "NY", "10001"), ("Austin", "TX", "73301"),
    ("Denver", "CO", "80202"), ("Chicago", "IL", "60601"), ("Seattle", "WA", "98101"),
    ("Atlanta", "GA", "30303"), ("Portland", "OR", "97201"),
)  # fmt: skip
TITLES = ("CEO", "CFO", "VP Sales", "Head of Data", "Operations Manager", "Analyst", "CTO", "Buyer")
TAGS = ("enterprise", "smb", "priority", "renewal", "partner", "trade-show", "inbound")
INDUSTRIES = ("Software", "Manufacturing", "Healthcare", "Retail", "Finance", "Education")
PRODUCTS = ("Analytics Suite", "Data Pipeline", "Dashboards", "Consulting", "Training")
PROJECT_NAMES = ("Onboarding", "Data Migration", "Dashboard Rollout", "Pilot", "Training Program")
TASK_NAMES = ("Send proposal", "Follow up call", "Prepare demo", "Review contract", "Schedule kickoff",
              "Send pricing", "Check in", "Collect requirements")  # fmt: skip
NOTES = ("Discussed pricing options.", "Left a voicemail.", "Great call; wants a demo.",
         "Sent the deck.", "Asked about integrations.", "Budget approval pending.")  # fmt: skip

CUSTOM_ACTIVITY_TYPES = (("Site Visit", "Room"), ("Demo", "Videocam"))
# (name, data_type, available_on, is_filterable, options)
CUSTOM_FIELDS: tuple[tuple[str, str, list[str], bool, tuple[str, ...]], ...] = (
    ("Industry", "Dropdown", ["company", "lead", "opportunity"], True, INDUSTRIES),
    ("Products of Interest", "MultiSelect", ["lead", "person", "opportunity"], True, PRODUCTS),
    ("Contract Renewal", "Date", ["company", "opportunity"], True, ()),
    ("Newsletter Opt-in", "Checkbox", ["person", "lead"], True, ()),
    ("Annual Budget", "Currency", ["company", "lead", "opportunity"], True, ()),
    ("Referral Code", "String", ["lead", "person"], True, ()),
    ("Handoff Notes", "Text", ["project", "task"], False, ()),
    ("Discount", "Percentage", ["opportunity"], False, ()),
    ("Headcount", "Float", ["company"], True, ()),
    ("LinkedIn Page", "URL", ["company"], False, ()),
)


class _Demo:
    def __init__(self, store: Store, seed: int) -> None:
        self.store = store
        self.records = Records(store)
        self.rng = random.Random(seed)
        self.users = [u["id"] for u in store.list("users")]
        self.fields: dict[str, dict[str, Any]] = {}

    def ids(self, kind: str) -> list[int]:
        return [d["id"] for d in self.store.list(kind)]

    def record(self, plural: str, values: dict[str, Any], created: int) -> dict[str, Any]:
        doc = ENTITIES[plural].defaults()
        doc.update(values)
        doc["date_created"] = created
        doc["date_modified"] = min(EPOCH, created + self.rng.randint(0, 90) * DAY)
        return self.store.insert(plural, doc)

    def past(self, low_days: int, high_days: int) -> int:
        return EPOCH - self.rng.randint(low_days * DAY, high_days * DAY) - self.rng.randint(0, DAY - 1)

    def option(self, field: str) -> int:
        return int(self.rng.choice(self.fields[field]["options"])["id"])

    def tags(self) -> list[str]:
        return sorted(self.rng.sample(TAGS, self.rng.choice((0, 0, 1, 1, 2))))

    def address(self) -> dict[str, Any]:
        city, state, postal = self.rng.choice(CITIES)
        street = f"{self.rng.randint(1, 999)} {self.rng.choice(LAST_NAMES)} Street"
        return {"street": street, "city": city, "state": state, "postal_code": postal, "country": "US"}

    def phone(self, category: str) -> list[dict[str, str]]:
        number = f"{self.rng.randint(201, 989)}-555-{self.rng.randint(0, 9999):04d}"
        return [{"number": number, "category": category}]

    def custom(self, **values: Any) -> dict[str, Any]:
        return {str(self.fields[name]["id"]): value for name, value in values.items() if value is not None}

    def maybe(self, share: float, value: Any) -> Any:
        return value if self.rng.random() < share else None

    # -- sections -------------------------------------------------------------------------

    def definitions(self) -> None:
        for name, data_type, available_on, filterable, options in CUSTOM_FIELDS:
            body = {"name": name, "data_type": data_type, "available_on": available_on, "is_filterable": filterable}
            if options:
                body["options"] = [{"name": option} for option in options]
            # Built as the API builds one, so demo and created definitions cannot differ.
            self.fields[name] = self.store.insert(DEFINITIONS, validate_definition(self.store, body, None))

    def companies(self, count: int) -> None:
        names = [f"{w} {s}" for w in COMPANY_WORDS for s in COMPANY_SUFFIXES]
        contact_types = self.ids("contact_types")
        for name in self.rng.sample(names, count):
            slug = name.lower().replace(" ", "")
            self.record(
                "companies",
                {
                    "name": name,
                    "address": self.address(),
                    "assignee_id": self.rng.choice(self.users),
                    "contact_type_id": self.rng.choice(contact_types[:2]),
                    "details": self.maybe(0.3, f"{name} evaluates analytics tooling yearly."),
                    "email_domain": f"{slug}.example",
                    "phone_numbers": self.phone("work"),
                    "websites": [{"url": f"https://www.{slug}.example", "category": "work"}],
                    "tags": self.tags(),
                    "custom_fields": self.custom(
                        Industry=self.option("Industry"),
                        **{"Annual Budget": self.maybe(0.6, self.rng.randint(10, 500) * 1000)},
                        **{"Contract Renewal": self.maybe(0.4, local_midnight(self.rng.randint(-200, 300)))},
                        Headcount=self.maybe(0.7, float(self.rng.randint(5, 5000))),
                    ),
                    "_followed": self.rng.random() < 0.2,
                },
                self.past(200, 900),
            )

    def people(self, count: int) -> None:
        companies = self.store.list("companies")
        contact_types = self.ids("contact_types")
        for n in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            company = self.rng.choice(companies) if self.rng.random() < 0.85 else None
            domain = company["email_domain"] if company else self.rng.choice(("mail.example", "inbox.example"))
            products = self.rng.sample(sorted(o["id"] for o in self.fields["Products of Interest"]["options"]), 2)
            self.record(
                "people",
                {
                    "name": f"{first} {last}",
                    "first_name": first,
                    "last_name": last,
                    "address": company["address"] if company else self.maybe(0.5, self.address()),
                    "assignee_id": self.rng.choice(self.users),
                    "company_id": company["id"] if company else None,
                    "contact_type_id": self.rng.choice(contact_types),
                    # The running number keeps every address unique, as Copper requires.
                    "emails": [{"email": f"{first}.{last}{n}@{domain}".lower(), "category": "work"}],
                    "phone_numbers": self.phone(self.rng.choice(("work", "mobile"))),
                    "tags": self.tags(),
                    "title": self.rng.choice(TITLES),
                    "custom_fields": self.custom(
                        **{"Newsletter Opt-in": self.rng.random() < 0.4},
                        **{"Products of Interest": self.maybe(0.3, products)},
                    ),
                    "_followed": self.rng.random() < 0.15,
                },
                self.past(30, 700),
            )

    def leads(self, count: int) -> None:
        statuses = self.ids("lead_statuses")
        sources = self.ids("customer_sources")
        company_names = [c["name"] for c in self.store.list("companies")]
        for n in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            company = self.rng.choice(company_names) if self.rng.random() < 0.3 else f"{last} & Co"
            self.record(
                "leads",
                {
                    "name": f"{first} {last}",
                    "first_name": first,
                    "last_name": last,
                    "address": self.maybe(0.6, self.address()),
                    "assignee_id": self.rng.choice(self.users),
                    "company_name": company,
                    "customer_source_id": self.rng.choice(sources),
                    "email": {"email": f"{first}.{last}.lead{n}@prospect.example".lower(), "category": "work"},
                    "monetary_unit": "USD",
                    "monetary_value": self.maybe(0.7, self.rng.randint(2, 120) * 500),
                    "phone_numbers": self.phone("mobile"),
                    "status_id": self.rng.choice(statuses),
                    "tags": self.tags(),
                    "title": self.rng.choice(TITLES),
                    "custom_fields": self.custom(
                        Industry=self.maybe(0.7, self.option("Industry")),
                        **{"Referral Code": self.maybe(0.3, f"REF-{1000 + n}")},
                        **{"Newsletter Opt-in": self.rng.random() < 0.5},
                    ),
                    "_followed": self.rng.random() < 0.1,
                },
                self.past(1, 300),
            )

    def stages(self, pipeline_type: str) -> list[dict[str, Any]]:
        """Stages of the pipelines of one type (opportunity, project or item)."""
        pipelines = {p["id"] for p in self.store.list("pipelines") if p["type"] == pipeline_type}
        return [s for s in self.store.list("pipeline_stages") if s["pipeline_id"] in pipelines]

    def opportunities(self, count: int, pipeline_type: str = "opportunity") -> None:
        stages = self.stages(pipeline_type)
        people = self.store.list("people")
        sources = self.ids("customer_sources")
        loss_reasons = self.ids("loss_reasons")
        statuses = ["Open"] * 12 + ["Won"] * 4 + ["Lost"] * 3 + ["Abandoned"] * 2
        for n in range(count):
            # Walk the stages in turn so every stage of those pipelines has deals.
            stage = stages[n % len(stages)]
            status = statuses[n % len(statuses)]
            contact = self.rng.choice([p for p in people if p.get("company_id")])
            company = self.store.get("companies", contact["company_id"])
            assert company is not None
            created = self.past(20, 400)
            probability = {"Won": 100, "Lost": 0, "Abandoned": 0}.get(status, stage["win_probability"])
            self.record(
                "opportunities",
                {
                    "name": f"{company['name']} - {self.rng.choice(PRODUCTS)}",
                    "assignee_id": self.rng.choice(self.users),
                    # Close dates spread across 2026 and into early 2027.
                    "close_date": unix_to_mdy(EPOCH + self.rng.randint(-300, 150) * DAY),
                    "company_id": company["id"],
                    "customer_source_id": self.maybe(0.8, self.rng.choice(sources)),
                    "details": self.maybe(0.4, "Champion identified; procurement involved."),
                    "loss_reason_id": self.rng.choice(loss_reasons) if status == "Lost" else None,
                    "pipeline_id": stage["pipeline_id"],
                    "pipeline_stage_id": stage["id"],
                    "primary_contact_id": contact["id"],
                    "priority": self.rng.choice(("None", "Low", "Medium", "High")),
                    "status": status,
                    "tags": self.tags(),
                    "monetary_value": self.rng.randint(10, 2500) * 100,
                    "win_probability": probability,
                    "date_stage_changed": created + self.rng.randint(0, 15) * DAY,
                    "custom_fields": self.custom(
                        Industry=self.maybe(0.8, self.option("Industry")),
                        **{"Products of Interest": self.maybe(0.6, sorted(
                            self.rng.sample([o["id"] for o in self.fields["Products of Interest"]["options"]], 2)
                        ))},
                        **{"Annual Budget": self.maybe(0.5, self.rng.randint(20, 400) * 1000)},
                        Discount=self.maybe(0.3, self.rng.choice((5, 10, 15, 20))),
                    ),
                    "_followed": self.rng.random() < 0.25,
                },
                created,
            )

    def projects(self, count: int) -> None:
        opportunities = [o for o in self.store.list("opportunities") if o["status"] == "Won"]
        people = self.ids("people")
        for n in range(count):
            opportunity = opportunities[n % len(opportunities)] if opportunities else None
            project = self.record(
                "projects",
                {
                    "name": f"{self.rng.choice(PROJECT_NAMES)} #{n + 1}",
                    "related_resource": {"id": opportunity["id"], "type": "opportunity"} if opportunity else None,
                    "assignee_id": self.rng.choice(self.users),
                    "status": "Completed" if self.rng.random() < 0.3 else "Open",
                    "details": self.maybe(0.5, "Kickoff planned with the customer's data team."),
                    "tags": self.tags(),
                },
                self.past(10, 300),
            )
            for person in self.rng.sample(people, 2):
                link = {"a_type": "project", "a_id": project["id"], "b_type": "person", "b_id": person}
                self.store.insert(LINKS, link)

    def custom_activity_types(self) -> None:
        for name, icon in CUSTOM_ACTIVITY_TYPES:
            # Built as the API builds one; unlike a type created through the API, these count.
            made = activitytypes.check_custom(self.store, {"name": name, "icon_type": icon}, None)
            self.store.insert(activitytypes.KIND, {**made, "count_as_interaction": True})

    def connections(self, count: int) -> None:
        body = {"name": "Referred by", "data_type": "Connect", "available_on": ["person"]}
        field = self.store.insert(DEFINITIONS, validate_definition(self.store, body, None))
        people = self.ids("people")
        for _ in range(count):
            source, target = self.rng.sample(people, 2)
            link = {
                "custom_field_definition_id": field["id"],
                "source": {"id": source, "entity_type": "people"},
                "target": {"id": target, "entity_type": "people"},
            }
            # Built as the API builds one, so a repeated pair is refused here too.
            with contextlib.suppress(ApiError):
                connect.create(self.store, link)

    def tasks(self, count: int) -> None:
        # A demo choice in the generator's own order (the seeded data depend on it).
        pools = {t: self.ids(RECORD_TYPES[t]) for t in ("person", "company", "opportunity", "lead", "project")}
        task_types = [t["id"] for t in activitytypes.custom_types(self.store) if not t["is_disabled"]]
        for _ in range(count):
            kind = self.rng.choice((*pools, None))
            created = self.past(5, 200)
            completed = self.rng.random() < 0.3
            self.record(
                "tasks",
                {
                    "name": self.rng.choice(TASK_NAMES),
                    "related_resource": {"id": self.rng.choice(pools[kind]), "type": kind} if kind else None,
                    "assignee_id": self.rng.choice(self.users),
                    "due_date": EPOCH + self.rng.randint(-60, 60) * DAY,
                    "reminder_date": self.maybe(0.3, EPOCH + self.rng.randint(-60, 30) * DAY),
                    "completed_date": created + self.rng.randint(1, 20) * DAY if completed else None,
                    "priority": "High" if self.rng.random() < 0.25 else "None",
                    "status": "Completed" if completed else "Open",
                    "details": self.maybe(0.4, self.rng.choice(NOTES)),
                    "tags": self.tags(),
                    "custom_activity_type_id": self.maybe(0.4, self.rng.choice(task_types)),
                },
                created,
            )

    def activities(self, count: int) -> None:
        # A demo choice in the generator's own order (the seeded data depend on it).
        parents = [(t, i) for t in ("person", "company", "opportunity", "lead") for i in self.ids(RECORD_TYPES[t])]
        # The log uses the types every account starts with; the demo's own types go on tasks.
        kinds = [t for t in activitytypes.BASE_TYPES if t["category"] == "user" and not t["is_disabled"]]
        stages = self.stages("opportunity")
        for n in range(count):
            parent_type, parent_id = self.rng.choice(parents)
            when = self.past(0, 365)
            if parent_type == "opportunity" and n % 10 == 0:
                old, new = self.rng.sample(stages, 2)
                kind: dict[str, Any] = {"id": 3, "category": "system"}
                values: dict[str, Any] = {
                    "old_value": {"id": old["id"], "name": old["name"]},
                    "new_value": {"id": new["id"], "name": new["name"]},
                    "details": None,
                }
            else:
                chosen = self.rng.choice(kinds)
                kind = {"id": chosen["id"], "category": "user"}
                values = {"details": self.rng.choice(NOTES)}
            doc = ENTITIES["activities"].defaults()
            doc.update(values, parent={"id": parent_id, "type": parent_type}, type=kind,
                       user_id=self.rng.choice(self.users), activity_date=when,
                       date_created=when, date_modified=when)  # fmt: skip
            self.records.count_interaction(self.store.insert("activities", doc))


def populate(store: Store, seed: int) -> None:
    """Insert the demo organisation's records (call once, on a new store, after the base data)."""
    demo = _Demo(store, seed)
    with store.transaction():
        demo.definitions()
        demo.companies(50)
        demo.people(150)
        demo.leads(40)
        demo.opportunities(60)
        demo.projects(15)
        demo.custom_activity_types()  # before the tasks that use them
        demo.tasks(80)
        demo.activities(200)
        # Added later than the sections above, so they come last: earlier records stay as they were.
        demo.opportunities(3, "project")
        demo.connections(8)
