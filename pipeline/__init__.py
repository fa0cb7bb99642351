"""Draftsmith: drafting formal Chinese reports from facts, checked for gaps.

The pipeline runs one way:

    facts file → document-type spec → per-section prompt → model → section checks
      → repair → assembled draft → document checks → outputs + run record
"""

__version__ = "0.1.0"
