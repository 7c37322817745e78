"""Stage 7, app: the front ends (CLI, REST API, web chat) and wiring.py, the one place that
joins the stages."""
