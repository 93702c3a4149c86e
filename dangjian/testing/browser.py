"""Helpers for the browser tests (pytest-playwright)."""

from playwright.sync_api import Locator, Page

# The elements whose right edge lies beyond the viewport, widest first: named in a failure.
_OVERFLOWING = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .map(e => [e, Math.round(e.getBoundingClientRect().right)])
    .filter(([, right]) => right > w + 1)
    .sort((a, b) => b[1] - a[1]).slice(0, 5)
    .map(([e, right]) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} right=${right}`).join("; ");
}"""


def page_width(page: Page) -> int:
    """The document's width as the user sees it: after the stylesheets and fonts have arrived.

    A click that navigates returns once the new page is committed, possibly before its
    stylesheets are in; a width measured then is that of an unstyled page.
    """
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return int(page.evaluate("document.documentElement.scrollWidth"))


def assert_fits(page: Page, width: int) -> None:
    """The page does not scroll sideways at this viewport width."""
    actual = page_width(page)
    assert actual <= width, f"{actual} px > {width} px: {page.evaluate(_OVERFLOWING)}"


def natural_width(image: Locator) -> int:
    """The width of the picture an <img> was served, once it has arrived.

    An image with width and height in its markup is laid out (and "visible") before its bytes
    arrive; its naturalWidth is 0 until then.
    """
    image.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    return int(image.evaluate("img => img.naturalWidth"))
