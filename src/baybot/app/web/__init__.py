"""The public web chat at `/` (chat.mount_ui) and the staff app at `/staff` behind sign-in
(staff.mount_staff, access.py), both Gradio, mounted in the API server."""
