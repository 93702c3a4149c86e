"""Options every workbook the platform writes uses.

XlsxWriter turns a string that starts with "=" into a live formula and one that looks like a URL
into a link by default; names, topics and minutes come from users, so a cell is always text.
"""

TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False}
