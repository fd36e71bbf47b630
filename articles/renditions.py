"""
Covers: what an upload must be, the original as stored, and its renditions.

- Uploads are checked first (validate_cover): JPEG, PNG, WebP or GIF by
  content, under a name ending in one of those extensions; at most
  VIGIL["COVER_MAX_BYTES"] bytes; at most settings.MAX_IMAGE_PIXELS pixels
  counting every frame (decompression bombs, long animations), which bounds
  the pixel work of everything made from it.
- The original is stored without its metadata (CoverField): EXIF (GPS
  position, camera, time), XMP and comments are dropped and the orientation
  applied, so the file readers can fetch says nothing the picture does not.
  Its name ends in the extension of its real format.
- Renditions: several widths for srcset, in WebP and JPEG, with all metadata
  stripped.

Renditions live at a path derived from the cover's file name
(renditions/covers/<key>/<width>.<ext>) with a manifest.json beside them, so
a new cover gets new renditions and the page needs no extra table.
"""

import hashlib
import io
import json
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageOps, UnidentifiedImageError

RASTER_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# The extension a stored original gets for its real format, and those an upload may carry.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
UPLOAD_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "gif"}
WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 82
WEBP_QUALITY = 80


def _limit_pixels():
    # Pillow's own guard (warning above the limit, error above twice it).
    Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
    return settings.MAX_IMAGE_PIXELS


def _check_upload(file):
    """What can be refused before reading the image: its size and its name."""
    limit = settings.VIGIL["COVER_MAX_BYTES"]
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"This file is {size / 1024 / 1024:.1f} MB; covers may be at most "
            f"{limit / 1024 / 1024:.0f} MB. Export it smaller and upload it again.",
            code="file_too_large",
        )
    extension = os.path.splitext(getattr(file, "name", "") or "")[1].lstrip(".").lower()
    if extension not in UPLOAD_EXTENSIONS:
        raise ValidationError(
            f"“.{extension}” files cannot be covers. Upload a JPEG, PNG, WebP or GIF "
            "(.jpg, .png, .webp or .gif).",
            code="image_extension",
        )


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
    frames = getattr(image, "n_frames", 1)
    if width * height * frames > limit:
        size = f"{width:,} × {height:,} pixels" + (f" × {frames:,} frames" if frames > 1 else "")
        raise ValidationError(
            f"This image is too large: {size}; covers may have at most {limit:,} pixels in all.",
            code="image_too_large",
        )
    return image


def validate_cover(file):
    """Validator for Article.cover: a raster image by content, under a raster
    image's name, within the byte and pixel limits, not truncated."""
    _check_upload(file)
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


# --- The stored original --------------------------------------------------------


def cover_without_metadata(file):
    """The upload re-saved in its own format with no metadata: (bytes, format).

    EXIF (GPS, camera, time), XMP and comments are not written; the orientation
    is applied to the pixels instead. A JPEG that needs no turning keeps its
    quantisation ("keep"), so it is not visibly re-compressed; an animation keeps
    its frames. The colour profile stays: it is how the picture looks.
    """
    source = _open(file)
    fmt = source.format
    options = {}
    if icc := source.info.get("icc_profile"):
        options["icc_profile"] = icc
    frames = getattr(source, "n_frames", 1)
    if frames > 1:
        # GIF and WebP animations: every frame, timing and looping kept; no comment.
        image = source
        options.update(save_all=True, duration=source.info.get("duration", 100), loop=source.info.get("loop", 0))
        if fmt == "GIF":
            options["comment"] = b""
    else:
        orientation = source.getexif().get(0x0112, 1)
        if fmt == "JPEG" and orientation in (0, 1):
            image = source
            options.update(quality="keep", subsampling="keep")
        else:
            image = ImageOps.exif_transpose(source)
            if fmt == "JPEG":
                options["quality"] = 92
        if fmt == "GIF":
            options["comment"] = b""
    if fmt == "JPEG":
        # Pillow copies a JPEG's COM comment into the copy unless told otherwise.
        options["comment"] = b""
    if fmt == "WEBP":
        options.setdefault("quality", 90)
        if source.info.get("lossless"):
            options["lossless"] = True
    if fmt == "PNG" and "transparency" in source.info:
        options["transparency"] = source.info["transparency"]
    buffer = io.BytesIO()
    # No exif=, no xmp=, no pnginfo=: Pillow writes none of the original's metadata.
    image.save(buffer, fmt, **options)
    return buffer.getvalue(), fmt


class CoverFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Every way a cover arrives (the admin, the desk, the demo, a test)
        # passes here before storage: only the stripped copy is ever stored.
        data, fmt = cover_without_metadata(content)
        stem = os.path.splitext(os.path.basename(name))[0] or "cover"
        super().save(f"{stem}.{EXTENSIONS[fmt]}", ContentFile(data), save)


class CoverField(models.ImageField):
    """An ImageField whose stored original has no metadata (cover_without_metadata)."""

    attr_class = CoverFieldFile


# What a stored original may still say about where and how it was taken, by
# Pillow's name for it: covers stored before CoverField kept all of it.
_METADATA = {
    "exif": "EXIF",
    "xmp": "XMP",
    "XML:com.adobe.xmp": "XMP",
    "photoshop": "IPTC/Photoshop data",
    "comment": "a comment",
}


def cover_metadata(cover):
    """What the stored file of `cover` (a FieldFile) carries that
    cover_without_metadata() drops, in words ("EXIF with a GPS position",
    "a name ending in .pdf"); [] when there is nothing left to strip.
    Raises ValidationError when the file is not an image a cover may be."""
    with cover.open("rb") as file:
        image = _open(file)
        found = []
        exif = image.getexif()
        if exif or "exif" in image.info:
            details = [
                words
                for tag, words in ((0x8825, "a GPS position"), (0x010F, "the camera"), (0x0112, "its orientation"))
                if tag in exif
            ]
            found.append("EXIF" + (f" with {', '.join(details)}" if details else ""))
        found += [words for key, words in _METADATA.items() if key != "exif" and image.info.get(key)]
        if getattr(image, "text", None):  # PNG text chunks (author, software, place…)
            found.append("PNG text")
        extension = os.path.splitext(cover.name)[1].lstrip(".").lower()
        if extension != EXTENSIONS[image.format]:
            found.append(f"a name ending in .{extension or '(nothing)'}")
    return list(dict.fromkeys(found))
