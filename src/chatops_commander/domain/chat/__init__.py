"""The conversation engine's pure core: confirmations, approvals, runbooks, diagnosis, events, wording."""
