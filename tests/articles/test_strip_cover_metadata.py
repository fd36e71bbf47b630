"""Covers uploaded before the stored original was stripped keep their EXIF
until `manage.py strip_cover_metadata` stores them again
(articles/management/commands/strip_cover_metadata.py, articles.services
cover_metadata_strip), tested with a phone's JPEG: GPS position, camera, time
taken, orientation, XMP and a comment."""

import io
from io import StringIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import TestCase
from PIL import Image, ImageOps, PngImagePlugin

from articles.covers import cover_renditions_make
from articles.models import Article
from articles.renditions import cover_metadata, manifest_for
from tests.factories import make_admin, make_article, make_editor
from vigil.models import Event

from .test_renditions import MediaRootMixin, image_bytes, upload

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Harbour Town"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def phone_jpeg(orientation=6):
    """A 1200×800 JPEG as a phone writes it, held sideways: its EXIF says
    "turn 90° clockwise to view" and where, when and with what it was taken."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Nosy Camera Co"  # Make
    exif[0x0110] = "Pocket 12"  # Model
    exif[0x0131] = "PocketOS 17.2"  # Software
    exif.get_ifd(EXIF_IFD).update({0x9003: "2025:06:14 18:02:11"})  # DateTimeOriginal
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (51.0, 30.0, 26.46), 3: "W", 4: (0.0, 7.0, 39.12), 5: 0, 6: 21.5}
    )
    image = Image.new("RGB", (1200, 800), (200, 30, 30))
    image.paste((30, 30, 200), (600, 0, 1200, 800))  # left red, right blue, as stored
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), xmp=XMP, comment=b"12 Home Street")
    return buffer.getvalue()


def stored_before_the_change(name, data, **fields):
    """An article whose cover was stored byte for byte, as uploads were before
    CoverField, with the renditions it was given then."""
    stored_name = default_storage.save(name, ContentFile(data))
    article = make_article(cover=stored_name, cover_alt="A harbour at dusk", **fields)
    cover_renditions_make(article_id=article.pk)
    return Article.objects.get(pk=article.pk)


def read(name):
    with default_storage.open(name, "rb") as file:
        data = file.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


class StripCoverMetadataTests(MediaRootMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.admin = make_admin(username="hale")

    def run_strip(self, *options):
        out, err = StringIO(), StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("strip_cover_metadata", "--as", "hale", *options, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_the_phone_jpeg_really_carries_gps_and_camera(self):
        """The attack the command answers: what the file said before."""
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        data, image = read(article.cover.name)
        self.assertEqual(image.getexif().get_ifd(GPS_IFD)[2], (51.0, 30.0, 26.46))
        self.assertIn(b"Nosy Camera Co", data)
        self.assertIn(b"Harbour Town", data)
        self.assertEqual(
            cover_metadata(article.cover),
            ["EXIF with a GPS position, the camera, its orientation", "XMP", "a comment"],
        )

    def test_a_dry_run_says_what_it_would_strip_and_changes_nothing(self):
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        before = read(article.cover.name)[0]
        out, _ = self.run_strip("--dry-run")
        self.assertIn(f"{article.slug}: would strip EXIF with a GPS position", out)
        self.assertIn("1 cover(s) checked: 1 would be stored again, 0 had nothing to strip.", out)
        self.assertIn("Dry run: nothing written.", out)
        article.refresh_from_db()
        self.assertEqual(article.cover.name, "covers/2025/harbour.jpg")
        self.assertEqual(read(article.cover.name)[0], before)
        self.assertFalse(Event.objects.filter(action="cover.strip_metadata").exists())

    def test_the_cover_is_stored_again_without_metadata_upright_and_the_old_file_is_gone(self):
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        old_name = article.cover.name
        upright = ImageOps.exif_transpose(read(old_name)[1])
        old_renditions = manifest_for(article.cover)
        out, err = self.run_strip()
        self.assertEqual(err, "")
        self.assertIn("1 cover(s) checked: 1 stored again, 0 had nothing to strip.", out)

        article.refresh_from_db()
        self.assertNotEqual(article.cover.name, old_name)
        self.assertTrue(article.cover.name.endswith(".jpg"))
        data, image = read(article.cover.name)
        self.assertEqual(dict(image.getexif()), {})
        for key in ("exif", "xmp", "comment"):
            self.assertNotIn(key, image.info)
        for secret in (b"Nosy Camera Co", b"Pocket 12", b"Harbour Town", b"Home Street", b"2025:06:14"):
            self.assertNotIn(secret, data)
        # Upright: what the reader saw before, now in the pixels themselves.
        self.assertEqual(image.size, (800, 1200))
        for point in ((400, 100), (400, 1100)):
            self.assertEqual(
                [round(c / 50) for c in image.getpixel(point)],
                [round(c / 50) for c in upright.getpixel(point)],
            )
        self.assertEqual(cover_metadata(article.cover), [])
        self.assertFalse(default_storage.exists(old_name))  # the GPS position is no longer served

        # New renditions, made from the clean copy, upright.
        manifest = manifest_for(article.cover)
        self.assertIsNotNone(manifest)
        self.assertNotEqual(manifest["sources"], old_renditions["sources"])
        self.assertEqual((manifest["width"], manifest["height"]), (800, 1200))
        rendition = read(manifest["sources"][-1]["jpeg"])[1]
        self.assertEqual(dict(rendition.getexif()), {})

    def test_one_event_per_article_by_the_admin_and_its_pages_show_the_new_file(self):
        first = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        second = stored_before_the_change("covers/2025/quay.jpg", phone_jpeg(orientation=1))
        self.client.get(first.get_absolute_url())  # cached with the old renditions
        self.run_strip()
        events = list(Event.objects.filter(action="cover.strip_metadata").select_related("actor").prefetch_related("subjects"))
        self.assertEqual(len(events), 2)
        self.assertEqual({event.actor for event in events}, {self.admin})
        self.assertEqual(
            sorted(event.keys("article") for event in events), [[first.slug], [second.slug]]
        )
        self.assertIn("a GPS position", events[0].summary)
        first.refresh_from_db()
        page = self.client.get(first.get_absolute_url())
        self.assertContains(page, default_storage.url(manifest_for(first.cover)["sources"][-1]["jpeg"]))
        self.assertNotContains(page, "harbour.jpg\"")

    def test_a_second_run_finds_nothing_to_do(self):
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        self.run_strip()
        article.refresh_from_db()
        name = article.cover.name
        out, _ = self.run_strip()
        self.assertIn("1 cover(s) checked: 0 stored again, 1 had nothing to strip.", out)
        article.refresh_from_db()
        self.assertEqual(article.cover.name, name)
        self.assertEqual(Event.objects.filter(action="cover.strip_metadata").count(), 1)

    def test_a_cover_uploaded_after_the_change_is_left_alone(self):
        article = make_article(cover=upload("holiday.jpg", phone_jpeg()))
        name = article.cover.name
        out, _ = self.run_strip()
        self.assertIn("1 cover(s) checked: 0 stored again, 1 had nothing to strip.", out)
        article.refresh_from_db()
        self.assertEqual(article.cover.name, name)
        self.assertFalse(Event.objects.filter(action="cover.strip_metadata").exists())

    def test_a_png_stored_as_pdf_gets_its_own_extension_and_loses_its_text(self):
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Private Person, 12 Home Street")
        article = stored_before_the_change(
            "covers/2025/chart.pdf", image_bytes("PNG", size=(60, 40), pnginfo=info)
        )
        self.assertEqual(cover_metadata(article.cover), ["PNG text", "a name ending in .pdf"])
        self.run_strip()
        article.refresh_from_db()
        self.assertTrue(article.cover.name.endswith("/chart.png"), article.cover.name)
        data, image = read(article.cover.name)
        self.assertEqual(image.format, "PNG")
        self.assertNotIn(b"Home Street", data)

    def test_the_published_text_is_not_re_rendered(self):
        """Only the cover changes: a body rendered by an older renderer stays
        as readers were shown it."""
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        Article.objects.filter(pk=article.pk).update(body_html="<p>As published in 2025.</p>")
        self.run_strip()
        article.refresh_from_db()
        self.assertEqual(article.body_html, "<p>As published in 2025.</p>")

    def test_a_missing_or_unusable_file_is_reported_and_the_others_are_done(self):
        missing = make_article(cover="covers/2025/gone.jpg")
        tiff = ContentFile(image_bytes("TIFF", size=(40, 30)))
        odd = make_article(cover=default_storage.save("covers/2025/scan.tif", tiff))
        fine = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        out, err = self.run_strip()
        self.assertIn(f"{missing.slug}: covers/2025/gone.jpg left as it is", err)
        self.assertIn(f"{odd.slug}: covers/2025/scan.tif left as it is: TIFF images cannot be covers", err)
        self.assertIn("3 cover(s) checked: 1 stored again, 0 had nothing to strip, 2 left as they are", out)
        fine.refresh_from_db()
        self.assertEqual(cover_metadata(fine.cover), [])

    def test_only_an_admin_may_run_it_and_a_refusal_changes_nothing(self):
        article = stored_before_the_change("covers/2025/harbour.jpg", phone_jpeg())
        make_editor(username="ines")
        with self.assertRaisesMessage(CommandError, "Only admins may do this (cover.strip_metadata)"):
            call_command("strip_cover_metadata", "--as", "ines", stdout=StringIO(), stderr=StringIO())
        with self.assertRaisesMessage(CommandError, "No such user: nobody"):
            call_command("strip_cover_metadata", "--as", "nobody", stdout=StringIO())
        article.refresh_from_db()
        self.assertEqual(article.cover.name, "covers/2025/harbour.jpg")
        self.assertEqual(cover_metadata(article.cover)[0][:4], "EXIF")
        self.assertFalse(Event.objects.filter(action="cover.strip_metadata").exists())
