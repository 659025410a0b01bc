"""Patients, programs, the daily plan and handouts (see the programs issue)."""
