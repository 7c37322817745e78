"""The web chat and staff tab (Gradio), mounted at `/` of the API server (chat.mount_ui)."""
