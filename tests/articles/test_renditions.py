import io
import shutil
import tempfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import TestCase, override_settings
from PIL import Image

from articles.covers import cover_renditions_make
from articles.renditions import manifest_for, validate_cover
from tests.factories import make_article
from vigil.celery import app


def image_bytes(fmt, size=(2000, 1000), mode="RGB", color=(200, 30, 30), **save):
    image = Image.new(mode, size, color)
    if mode == "RGB":
        # Left half red, right half blue: orientation is visible in the pixels.
        image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def rotated_jpeg():
    """A 2000×1000 JPEG whose EXIF says "rotate 90° clockwise to view", with a camera make."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Nosy Camera Co"  # Make
    return image_bytes("JPEG", exif=exif.tobytes())


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class MediaRootMixin:
    def setUp(self):
        super().setUp()
        self.media = tempfile.mkdtemp(prefix="vigil-media-")
        override = override_settings(MEDIA_ROOT=self.media)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        self.addCleanup(setattr, app.conf, "task_always_eager", eager)


class RenditionTests(MediaRootMixin, TestCase):
    def open_rendition(self, path):
        with open(f"{self.media}/{path}", "rb") as file:
            image = Image.open(io.BytesIO(file.read()))
            image.load()
            return image

    def test_jpeg_cover_gets_upright_webp_and_jpeg_renditions_without_exif(self):
        article = make_article(
            cover=upload("camera.jpg", rotated_jpeg()), cover_alt="A field at dawn"
        )
        manifest = cover_renditions_make(article_id=article.pk)
        # Upright: the 2000×1000 landscape becomes 1000×2000 portrait.
        self.assertEqual((manifest["width"], manifest["height"]), (1000, 2000))
        self.assertEqual([s["width"] for s in manifest["sources"]], [480, 960, 1000])
        for source in manifest["sources"]:
            for key, fmt in (("webp", "WEBP"), ("jpeg", "JPEG")):
                image = self.open_rendition(source[key])
                self.assertEqual(image.format, fmt)
                self.assertEqual(image.size, (source["width"], source["height"]))
                self.assertEqual(dict(image.getexif()), {}, f"{key} kept EXIF")
                self.assertNotIn("exif", image.info)
        # Rotated clockwise: the red (left) half is now on top.
        top = self.open_rendition(manifest["sources"][0]["jpeg"]).getpixel((240, 100))
        self.assertGreater(top[0], 150)
        self.assertLess(top[2], 100)

    def test_png_with_transparency_gets_renditions_flattened_for_jpeg(self):
        png = image_bytes("PNG", size=(700, 300), mode="RGBA", color=(0, 0, 0, 0))
        article = make_article(cover=upload("chart.png", png, "image/png"))
        manifest = cover_renditions_make(article_id=article.pk)
        self.assertEqual([s["width"] for s in manifest["sources"]], [480, 700])
        self.assertEqual(self.open_rendition(manifest["sources"][0]["webp"]).mode, "RGBA")
        jpeg = self.open_rendition(manifest["sources"][0]["jpeg"])
        self.assertEqual((jpeg.mode, jpeg.getpixel((5, 5))), ("RGB", (255, 255, 255)))

    def test_saving_a_new_cover_makes_renditions_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = make_article(cover=upload("new.jpg", image_bytes("JPEG")))
        self.assertIsNotNone(manifest_for(article.cover))

    def test_sweep_catches_up_on_covers_saved_while_the_broker_was_down(self):
        from articles.tasks import cover_renditions_sweep

        article = make_article(cover=upload("missed.jpg", image_bytes("JPEG", size=(600, 400))))
        make_article()  # no cover: nothing to make
        self.assertIsNone(manifest_for(article.cover))  # its on_commit never ran
        self.assertEqual(cover_renditions_sweep(), 1)
        self.assertIsNotNone(manifest_for(article.cover))
        self.assertEqual(cover_renditions_sweep(), 0)

    def test_page_include_shows_picture_with_srcsets_and_alt(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = make_article(
                cover=upload("new.jpg", image_bytes("JPEG")), cover_alt='Rain on "glass"'
            )
        template = Template("{% load covers %}{% cover_picture article %}")
        with self.assertNumQueries(0):
            html = template.render(Context({"article": article}))
        self.assertIn('<source type="image/webp" srcset="/media/renditions/covers/', html)
        self.assertIn(" 480w, ", html)
        self.assertIn(" 1440w", html)
        self.assertIn('alt="Rain on &quot;glass&quot;"', html)
        self.assertIn('width="1440" height="720"', html)

    def test_page_include_falls_back_to_the_original_until_renditions_exist(self):
        article = make_article(cover=upload("later.jpg", image_bytes("JPEG")), cover_alt="Later")
        # Made inside a transaction that never ran its on_commit: no renditions yet.
        html = Template("{% load covers %}{% cover_picture article %}").render(
            Context({"article": article})
        )
        self.assertNotIn("<picture>", html)
        self.assertIn(f'src="{article.cover.url}" width="2000" height="1000" alt="Later"', html)


@override_settings(MAX_IMAGE_PIXELS=40_000_000)
class CoverValidationTests(MediaRootMixin, TestCase):
    def assertRejected(self, file, message):
        with self.assertRaises(ValidationError) as raised:
            validate_cover(file)
        self.assertIn(message, " ".join(raised.exception.messages))

    def test_jpeg_png_webp_and_gif_are_accepted(self):
        for fmt in ("JPEG", "PNG", "WEBP", "GIF"):
            validate_cover(upload(f"x.{fmt.lower()}", image_bytes(fmt, size=(50, 40))))

    def test_decompression_bomb_is_rejected(self):
        bomb = image_bytes("PNG", size=(8000, 8000), mode="1", color=0)
        self.assertLess(len(bomb), 100_000)  # tiny file, 64 million pixels
        self.assertRejected(upload("bomb.png", bomb, "image/png"), "too large")

    @override_settings(MAX_IMAGE_PIXELS=1_000_000)
    def test_limit_comes_from_settings(self):
        self.assertRejected(
            upload("big.jpg", image_bytes("JPEG", size=(1200, 1000))), "at most 1,000,000 pixels"
        )

    def test_svg_is_rejected(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
        self.assertRejected(
            upload("logo.svg", svg, "image/svg+xml"), "Upload a JPEG, PNG, WebP or GIF"
        )

    def test_text_file_named_jpg_is_rejected(self):
        self.assertRejected(upload("notes.jpg", b"just some text, not a picture"), "not an image")

    def test_other_raster_formats_are_rejected(self):
        bmp = image_bytes("BMP", size=(20, 20))
        self.assertRejected(upload("scan.bmp", bmp, "image/bmp"), "“.bmp” files cannot be covers")
        # By content, whatever the name says.
        self.assertRejected(upload("scan.png", bmp, "image/png"), "BMP images cannot be covers")

    def test_article_full_clean_reports_the_error_on_the_cover_field(self):
        article = make_article()
        article.cover = upload("notes.jpg", b"just some text")
        with self.assertRaises(ValidationError) as raised:
            article.full_clean()
        self.assertIn("not an image", " ".join(raised.exception.message_dict["cover"]))


@override_settings(VIGIL_PAGE_CACHE=True)
class CoverRenditionPurgeTests(MediaRootMixin, TestCase):
    """Renditions are made after the cover's save committed: the pages already
    cached with the original are purged, here and at the edge, by the same
    path as an action's (vigil.purgers.tags_purge, through the outbox)."""

    def setUp(self):
        super().setUp()
        from django.conf import settings

        from tests.vigil.test_edge import RecordingPurger

        RecordingPurger.purged.clear()
        override = override_settings(
            VIGIL_EDGE={**settings.VIGIL_EDGE, "PURGER": "tests.vigil.test_edge.RecordingPurger"}
        )
        override.enable()
        self.addCleanup(override.disable)
        self.purged = RecordingPurger.purged

    def test_renditions_purge_the_articles_pages_and_leave_the_others_cached(self):
        from vigil.models import OutboxMessage
        from vigil.pagecache import CACHE_STATUS_HEADER
        from vigil.purgers import EDGE_PURGE

        article = make_article(cover=upload("field.jpg", image_bytes("JPEG")), cover_alt="A field")
        other = make_article()
        url, other_url = article.get_absolute_url(), other.get_absolute_url()
        for page in (url, other_url):
            self.assertEqual(self.client.get(page)[CACHE_STATUS_HEADER], "miss")
        self.assertNotContains(self.client.get(url), "image/webp")

        with self.captureOnCommitCallbacks(execute=True):
            cover_renditions_make(article_id=article.pk)

        self.assertEqual(self.purged, [{f"a:{article.slug}", "articles"}])
        self.assertFalse(OutboxMessage.objects.filter(kind=EDGE_PURGE, sent_at=None).exists())
        response = self.client.get(url)
        self.assertEqual(response[CACHE_STATUS_HEADER], "miss")
        self.assertContains(response, 'type="image/webp"')
        self.assertEqual(self.client.get(other_url)[CACHE_STATUS_HEADER], "hit")

    def test_making_them_again_owes_no_second_purge(self):
        article = make_article(cover=upload("field.jpg", image_bytes("JPEG")), cover_alt="A field")
        for _ in range(2):  # a redelivered task
            with self.captureOnCommitCallbacks(execute=True):
                cover_renditions_make(article_id=article.pk)
        self.assertEqual(len(self.purged), 1)
