"""The verification domain: submissions, their images, checks and the pipeline."""
