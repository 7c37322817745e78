"""Stage 6, staff: evaluation, batch answers and feedback."""
