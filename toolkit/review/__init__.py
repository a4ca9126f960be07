"""Reviewing a change of the package as a fact-checker would: every changed cell with its evidence
(review.py), each excerpt looked for on its page (verify.py), and links that open a page with the
excerpt highlighted (textfragment.py)."""
