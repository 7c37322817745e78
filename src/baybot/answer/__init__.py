"""Stage 5, answer: the Assistant (follow-ups, evidence and refusals, a generator backend, the
citation check)."""
