"""Stage 6, staff: evaluation and batch answers (feedback is kept by baybot.db)."""
