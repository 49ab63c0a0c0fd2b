"""The hosted Liveform (spec §6, §7): the end user's verification flow, server-rendered, at /form/."""
