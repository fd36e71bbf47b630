"""
Cover-image renditions: several widths for srcset, in WebP and JPEG, with EXIF
orientation applied and all metadata stripped. Uploads are checked first:
only raster formats (JPEG, PNG, WebP, GIF) and no more than
settings.MAX_IMAGE_PIXELS pixels (decompression bombs).

Renditions live at a path derived from the cover's file name
(renditions/covers/<key>/<width>.<ext>) with a manifest.json beside them, so
a new cover gets new renditions and the page needs no extra table.
"""

import hashlib
import io
import json
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

RASTER_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 82
WEBP_QUALITY = 80


def _limit_pixels():
    # Pillow's own guard (warning above the limit, error above twice it).
    Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
    return settings.MAX_IMAGE_PIXELS


def _open(file):
    """Open an upload as a Pillow image, or raise ValidationError saying why not."""
    limit = _limit_pixels()
    if hasattr(file, "seek"):
        file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"This image is too large: covers may have at most {limit:,} pixels.",
            code="image_too_large",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            "This file is not an image Vigil can use. Upload a JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        ) from None
    if image.format not in RASTER_FORMATS:
        raise ValidationError(
            f"{image.format or 'This'} images cannot be covers. Upload a JPEG, PNG, WebP or GIF.",
            code="image_format",
        )
    width, height = image.size
    if width * height > limit:
        raise ValidationError(
            f"This image is too large: {width:,} × {height:,} pixels; covers may have at most {limit:,} pixels.",
            code="image_too_large",
        )
    return image


def validate_cover(file):
    """Validator for Article.cover: a raster image within the pixel limit, not truncated."""
    image = _open(file)
    try:
        image.verify()
    except Exception:
        raise ValidationError(
            "This image is damaged or incomplete. Upload it again or export it anew.",
            code="image_damaged",
        ) from None
    finally:
        if hasattr(file, "seek"):
            file.seek(0)


def rendition_key(name):
    return hashlib.sha256(name.encode()).hexdigest()[:20]


def manifest_path(name):
    return f"renditions/covers/{rendition_key(name)}/manifest.json"


def _upright(image):
    """First frame, EXIF orientation applied, in a mode JPEG and WebP can hold."""
    image.seek(0)
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _flatten(image):
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _save(image, path, fmt, **options):
    buffer = io.BytesIO()
    # No exif=, no icc_profile=: nothing of the original's metadata is written.
    image.save(buffer, fmt, **options)
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(buffer.getvalue()))
    return path


def renditions_make(cover):
    """Make the renditions of a cover (a FieldFile) and return its manifest."""
    with cover.open("rb") as file:
        source = _open(file)
        source.load()
        image = _upright(source)
    key = rendition_key(cover.name)
    widths = sorted({min(w, image.width) for w in WIDTHS})
    manifest = {"source": cover.name, "width": image.width, "height": image.height, "sources": []}
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        base = f"renditions/covers/{key}/{width}"
        webp = _save(resized, f"{base}.webp", "WEBP", quality=WEBP_QUALITY, method=4)
        jpeg = _save(
            _flatten(resized),
            f"{base}.jpg",
            "JPEG",
            quality=JPEG_QUALITY,
            optimize=True,
            progressive=True,
        )
        manifest["sources"].append({"width": width, "height": height, "webp": webp, "jpeg": jpeg})
    path = manifest_path(cover.name)
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(manifest).encode()))
    return manifest


def manifest_for(cover):
    """The manifest of a cover's renditions, or None if they are not made yet."""
    if not cover:
        return None
    path = manifest_path(cover.name)
    try:
        with default_storage.open(path) as file:
            return json.load(file)
    except (FileNotFoundError, OSError, ValueError):
        return None
