"""REST API of transfers, floating members, lost-contact cases and probation decisions."""
