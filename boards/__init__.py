"""Tavolo's domain in plain Python: processes, meetings, boards, items, groups, prompts,
votes, minutes and synthesis. Nothing here knows about HTTP or websockets.

See docs/architecture.md.
"""
