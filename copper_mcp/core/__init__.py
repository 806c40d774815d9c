"""The vocabulary every other part of the package shares and nothing in it depends on: the
record entities, field marks, Copper's paging rules, the error tree, what a requester is,
and the settings."""
