"""The rooms of `programs` and the import contracts that keep them apart."""

import pkgutil
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
