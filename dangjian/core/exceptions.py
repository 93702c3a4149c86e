"""Errors the service layer raises; views and the API translate them."""


class OutOfScope(Exception):
    """The acting user may not reach this object. Shown as 404 so existence is not confirmed."""
