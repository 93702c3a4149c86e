"""Signals other apps listen to, so that accounts need not import them."""

from django.dispatch import Signal

# Sent (with `user` and `reason`) when every session and token of an account has been ended: a
# password or role change, a second-factor reset, deactivation. Apps holding credentials of their
# own for the account (calendar links) end them in the same transaction.
credentials_ended = Signal()
