"""Stand-in media for subjects. trustops never holds real content: the console shows an abstract picture
drawn from the subject's identity, the same every time, so a reviewer can practise the blur/reveal routine
and tell items apart."""
import hashlib
from xml.sax.saxutils import escape

PORTRAIT = ("video", "livestream")          # a short-video app films upright
LANDSCAPE = ("listing", "poi")
WITH_MEDIA = PORTRAIT + LANDSCAPE


def has_media(subject_type: str) -> bool:
    return subject_type in WITH_MEDIA


def shape_of(subject_type: str) -> str:
    return "portrait" if subject_type in PORTRAIT else "landscape" if subject_type in LANDSCAPE else "square"


SIZES = {"portrait": (360, 640), "landscape": (640, 480), "square": (480, 480)}


def _stream(seed: bytes):
    """Endless deterministic bytes from the seed."""
    counter = 0
    while True:
        yield from hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1


def placeholder_svg(subject_type: str, external_id: str) -> str:
    width, height = SIZES[shape_of(subject_type)]
    numbers = _stream(f"{subject_type}:{external_id}".encode())

    def pick(low: float, high: float) -> float:
        return low + (high - low) * next(numbers) / 255

    hue = int(pick(0, 359))
    other = (hue + int(pick(40, 160))) % 360
    shapes = []
    for index in range(9):
        tone = (hue + int(pick(-50, 50)) + (180 if index % 4 == 3 else 0)) % 360
        fill = f"hsl({tone} {int(pick(35, 70))}% {int(pick(35, 75))}%)"
        opacity = round(pick(0.3, 0.8), 2)
        x, y = int(pick(-0.1, 1.0) * width), int(pick(-0.1, 1.0) * height)
        if index % 3 == 0:
            shapes.append(f'<circle cx="{x}" cy="{y}" r="{int(pick(0.08, 0.35) * width)}" fill="{fill}" '
                          f'opacity="{opacity}"/>')
        else:
            w, h = int(pick(0.15, 0.6) * width), int(pick(0.08, 0.35) * height)
            shapes.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{int(pick(4, 28))}" fill="{fill}" '
                          f'opacity="{opacity}" transform="rotate({int(pick(-25, 25))} {x} {y})"/>')
    overlay = ""
    if subject_type == "video":
        cx, cy, r = width // 2, height // 2, width // 8
        overlay = (f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="#000" opacity="0.35"/>'
                   f'<path d="M{cx - r // 3} {cy - r // 2} L{cx + r // 2} {cy} L{cx - r // 3} {cy + r // 2} Z" '
                   f'fill="#fff" opacity="0.9"/>')
    elif subject_type == "livestream":
        overlay = ('<rect x="16" y="16" width="62" height="28" rx="6" fill="#d93651"/>'
                   '<text x="47" y="36" text-anchor="middle" font-size="16" font-weight="700" fill="#fff">'
                   'LIVE</text>')
    label = escape(f"{subject_type} · {external_id}"[:44])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" role="img">'
        f'<title>Generated placeholder for {label}</title>'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue} 45% 62%)"/><stop offset="1" stop-color="hsl({other} 50% 30%)"/>'
        f'</linearGradient></defs>'
        f'<rect width="{width}" height="{height}" fill="url(#g)"/>{"".join(shapes)}{overlay}'
        f'<rect y="{height - 54}" width="{width}" height="54" fill="#000" opacity="0.45"/>'
        f'<text x="16" y="{height - 31}" font-size="13" fill="#fff" opacity="0.75">Generated placeholder</text>'
        f'<text x="16" y="{height - 13}" font-size="15" font-weight="600" fill="#fff">{label}</text>'
        f'</svg>'
    )
