"""Small widgets used by the study app's screens."""
