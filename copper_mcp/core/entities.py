"""The record entities of Copper: the one table every other part of the package reads.

Copper names a record type two ways: its URL segment is plural (``/people/search``) and its
type in links, custom field definitions and webhooks is singular (``{"type": "person"}``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    """One kind of Copper record.

    Attributes:
        plural: The URL segment (``people``); also the entity's name in the tool catalogue.
        singular: Copper's record type (``person``), as links and custom field definitions say it.
        named: Whether records have a ``name`` (every entity but activities).
        logged: Whether records have an activity log (``POST /{plural}/{id}/activities``).
        connect: How Connect-field links (``/related_links``) spell the type (``organization``);
            empty when a Connect field cannot link it.
    """

    plural: str
    singular: str
    named: bool = True
    logged: bool = False
    connect: str = ""

    @property
    def noun(self) -> str:
        """How messages and titles name one record (``person``)."""
        return self.singular

    @property
    def search_path(self) -> str:
        """The path of the entity's search (``/people/search``)."""
        return f"/{self.plural}/search"


ENTITIES: tuple[Entity, ...] = (
    Entity("people", "person", logged=True, connect="people"),
    Entity("companies", "company", logged=True, connect="organization"),
    Entity("leads", "lead", logged=True, connect="lead"),
    Entity("opportunities", "opportunity", logged=True, connect="opportunity"),
    Entity("projects", "project", connect="project"),
    Entity("tasks", "task"),
    Entity("activities", "activity", named=False),
)
BY_PLURAL = {entity.plural: entity for entity in ENTITIES}
BY_SINGULAR = {entity.singular: entity for entity in ENTITIES}
BY_CONNECT = {entity.connect: entity for entity in ENTITIES if entity.connect}


def entity(plural: str) -> Entity:
    """The entity whose URL segment is ``plural``; KeyError for anything else."""
    return BY_PLURAL[plural]
