"""Parser of the AAMVA DL/ID card design standard barcode payload (the PDF417 on a licence back).

Versions 1 (DL/ID-2000) to 10 (2020) are read, and version 0 (pre-standard) where its header
looks like version 1's. The header names the issuer (IIN), the standard's version and the
subfiles by offset and length; each subfile is a run of elements, a three-letter id followed
by its value, separated by LF and closed by CR.

Real barcodes bend the standard, so the parser is tolerant where that cannot invent data:
declared offsets that miss their subfile are replaced by a search for it, CR, LF and CRLF
all separate elements, and bytes that are not elements are skipped (and reported). What it
had to guess is named in ``warnings`` so the policy can weigh it.

Dates are the trap: version 1 writes CCYYMMDD everywhere, later versions write MMDDCCYY in
the USA and CCYYMMDD in Canada. The country comes from DCG, else from the IIN.

Pure Python: no I/O, no framework, deterministic.
"""

from __future__ import annotations

from submissions.pipeline.aamva.dates import parse_date
from submissions.pipeline.aamva.jurisdictions import IIN_JURISDICTIONS
from submissions.pipeline.aamva.parser import AamvaResult, normalise_postal_code, parse_aamva

__all__ = ["IIN_JURISDICTIONS", "AamvaResult", "normalise_postal_code", "parse_aamva", "parse_date"]
