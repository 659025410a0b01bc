"""Thin views by topic: look the record up through `programs.therapist.access`,
call one selector or service, render."""
