"""Microsoft Teams adapter: Microsoft's Teams SDK for Python (`microsoft-teams-apps`), Adaptive Cards with
Action.Execute for confirmations, choices and approvals, Bot Framework JWT validation by the SDK (ADR 0017).

Importing this package does not import the SDK: `bot.py` does, when the bot starts.
"""
