"""The verification pipeline: plain Python over bytes and dataclasses, no Django (DESIGN.md).

Each module reads one kind of evidence (MRZ, barcode, image quality, faces) and returns
frozen dataclasses; ``submissions.services`` persists what they find.
"""
