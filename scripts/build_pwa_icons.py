"""Draw the installable app's icons (the favicon's star on Party red) as PNG files.

    .venv/bin/python scripts/build_pwa_icons.py

Writes dangjian/static/pwa/icon-{192,512}.png (purpose "any": the star fills the rounded square)
and maskable-{192,512}.png (purpose "maskable": full-bleed red, the star inside the central 80 %
safe zone, so a launcher's circle or squircle mask never cuts it). The files are committed; run
this again only when the design changes.
"""

from pathlib import Path

from PIL import Image, ImageDraw

RED = (179, 21, 27, 255)
GOLD = (255, 215, 0, 255)
# The favicon's star (dangjian/static/favicon.svg), in its 32-unit box.
STAR = [
    (16, 5),
    (19.2, 12.6),
    (27.4, 13.3),
    (21.2, 18.7),
    (23.1, 26.7),
    (16, 22.4),
    (8.9, 26.7),
    (10.8, 18.7),
    (4.6, 13.3),
    (12.8, 12.6),
]
OUT = Path(__file__).resolve().parent.parent / "dangjian" / "static" / "pwa"


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges without an SVG renderer
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=RED)
        box, offset = big * 0.62, big * 0.19  # the star stays inside the 80 % safe circle
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=RED)
        box, offset = big, 0.0
    pen.polygon([(offset + x * box / 32, offset + (y + 0.35) * box / 32) for x, y in STAR], fill=GOLD)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
