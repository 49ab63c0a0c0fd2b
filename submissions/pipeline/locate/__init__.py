"""Find the identity document in a phone photo and straighten it.

``locate_document`` (``find``) looks for the document's outline: straight edges are found at a
working size of ~640 px (line segments on the smoothed image, ``edges``), merged into lines, and
every pair of near-parallel lines crossed with a second pair makes a candidate quadrilateral
(``candidates``). Candidates of an identity document's proportions (cards 1.586, TD2/TD3 1.42,
visas 1.42–1.5) are scored by how much of their outline lies on an edge (``scoring``), and the
best one is refined on the full-resolution photo (each side re-fitted to the edge profile
across it, ``finish``).

The MRZ, when the reader found one (an ``Anchor``, ``anchor``), settles what edges alone cannot:
which candidate holds the zone, and which way up the document is (the MRZ is along the bottom).
When no outline is found the anchor's ICAO proportions give an approximate quad on their own.

``rectify`` (``rectification``) warps the quad to an upright image of the document's
proportions. Plain Python: no Django. Every public name is importable from here.
"""

from submissions.pipeline.locate.anchor import Anchor, anchor_from_reading
from submissions.pipeline.locate.find import locate_document
from submissions.pipeline.locate.quad import DocumentQuad, Point
from submissions.pipeline.locate.rectification import rectify

__all__ = ["Anchor", "DocumentQuad", "Point", "anchor_from_reading", "locate_document", "rectify"]
