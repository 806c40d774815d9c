"""Model-shaped records: compact reads with names and ISO dates, friendly writes.

Pure, synchronous functions over raw Copper JSON, plus a small async cache of the account's
reference data. Field meaning (which fields are dates or references) comes from the API
description through :class:`EntityFields`; nothing here hard-codes it.
"""

from .budget import DEFAULT_BUDGET, fit_to_budget, json_size
from .cache import CopperRequester, CopperResponse, ReferenceCache, load_reference_data
from .errors import InputError
from .fields import EntityFields
from .reads import compact
from .reference import CustomFieldDefinition, ReferenceData
from .writes import to_copper

__all__ = [
    "DEFAULT_BUDGET",
    "CopperRequester",
    "CopperResponse",
    "CustomFieldDefinition",
    "EntityFields",
    "InputError",
    "ReferenceCache",
    "ReferenceData",
    "compact",
    "fit_to_budget",
    "json_size",
    "load_reference_data",
    "to_copper",
]
