"""Model-shaped data: pure transforms between what a model reads and writes and what Copper
sends and takes. Compact records with names and ISO dates (reads.py), friendly arguments
to Copper's form (writes.py), dates (dates.py), the account's reference data as lookups
(reference.py) and the answer size budget (budget.py). No I/O: callers fetch what
``writes.needs`` and ``reference.lists_for`` say is needed and pass it in."""
