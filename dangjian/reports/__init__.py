"""News reports (新闻稿): turning a published report back into a record, and later drafting one.

The pure-function part lives in :mod:`dangjian.reports.parser`; it needs no database.
"""
