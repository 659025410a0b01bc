"""The rooms of `programs` and the import contracts that keep them apart."""

import pkgutil
import re
import tomllib
from pathlib import Path

from django.conf import settings

import programs

AUDIENCES = {"programs.therapist", "programs.plan", "programs.handout"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())
    return {contract["name"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def test_every_module_of_programs_is_the_domain_or_an_audience_package():
    """A new domain module is covered by the contract only if it is listed there."""
    domain = next(
        contract["source_modules"]
        for contract in _contracts().values()
        if contract["name"].startswith("The domain imports no audience package")
    )
    modules = {f"programs.{info.name}" for info in pkgutil.iter_modules(programs.__path__)}
    assert modules - AUDIENCES == set(domain)
    assert modules >= AUDIENCES


def test_the_plan_and_the_therapists_pages_are_independent():
    independent = [c for c in _contracts().values() if c["type"] == "independence"]
    assert {"programs.plan", "programs.therapist"} <= set(independent[0]["modules"])


# A write to program items: the ORM's ways of saving, changing or deleting them.
ITEM_WRITES = re.compile(
    r"ProgramItem\.objects\.(create|bulk_create|bulk_update|update|get_or_create)"
    r"|\bitems\.(create|update|bulk_create|all\(\)\.delete|filter\(.*\)\.(update|delete))"
    r"|\bitem\.(save|delete)\("
)


def test_program_items_are_written_by_the_services_alone():
    """The editor keeps a program's rendered lines per draft version
    (programs/therapist/line_cache.py), which services._touch raises with every
    change: an item written anywhere else would leave the editor showing old lines."""
    root = Path(settings.BASE_DIR)
    writers = {
        str(path.relative_to(root))
        for folder in ("programs", "exercises", "oefenplan")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts and ITEM_WRITES.search(path.read_text())
    }
    assert writers == {"programs/services.py"}
