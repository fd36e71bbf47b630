"""A cover upload, tested as the attacker and as the photographer whose GPS
position must not go public (articles/renditions.py)."""

import io

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings
from PIL import Image, PngImagePlugin

from articles.covers import cover_renditions_make
from articles.renditions import validate_cover
from tests.factories import make_article, make_claim

from .test_renditions import MediaRootMixin, image_bytes, upload

GPS_IFD = 0x8825


def camera_jpeg(orientation=1):
    """A 1200×800 JPEG straight from a phone: GPS position, camera, orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Nosy Camera Co"  # Make
    exif[0x0110] = "Pocket 12"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    return image_bytes("JPEG", size=(1200, 800), exif=exif.tobytes(), quality=90)


def stored(article):
    with default_storage.open(article.cover.name, "rb") as file:
        data = file.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


class StoredOriginalTests(MediaRootMixin, TestCase):
    def test_the_stored_original_has_no_exif_gps_or_camera(self):
        source = camera_jpeg()
        self.assertIn(GPS_IFD, Image.open(io.BytesIO(source)).getexif())  # the attack is real
        article = make_article(cover=upload("holiday.jpg", source))
        data, image = stored(article)
        self.assertEqual(image.format, "JPEG")
        self.assertEqual(dict(image.getexif()), {})
        self.assertNotIn("exif", image.info)
        self.assertNotIn(b"Nosy Camera Co", data)
        self.assertNotIn(b"Exif\\x00\\x00", data)
        self.assertEqual(image.size, (1200, 800))

    def test_a_jpeg_comment_is_dropped(self):
        """Pillow copies a JPEG's COM segment into what it saves unless told not to."""
        for orientation in (1, 6):  # kept as it is, and turned upright
            with self.subTest(orientation=orientation):
                exif = Image.Exif()
                exif[0x0112] = orientation
                source = image_bytes("JPEG", size=(60, 40), exif=exif.tobytes(), comment=b"12 Home Street")
                data, image = stored(make_article(cover=upload("note.jpg", source)))
                self.assertNotIn(b"Home Street", data)
                self.assertNotIn("comment", image.info)

    def test_a_turned_photo_is_stored_upright_without_its_orientation_tag(self):
        article = make_article(cover=upload("portrait.jpg", camera_jpeg(orientation=6)))
        _, image = stored(article)
        self.assertEqual(image.size, (800, 1200))
        self.assertEqual(dict(image.getexif()), {})

    def test_png_text_chunks_and_gif_comments_are_dropped(self):
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Private Person, 12 Home Street")
        png = make_article(cover=upload("chart.png", image_bytes("PNG", size=(60, 40), pnginfo=info), "image/png"))
        data, image = stored(png)
        self.assertNotIn(b"Home Street", data)
        self.assertNotIn("Author", image.info)

        gif = make_article(
            cover=upload("loop.gif", image_bytes("GIF", size=(60, 40), comment=b"shot at 12 Home Street"), "image/gif")
        )
        data, image = stored(gif)
        self.assertNotIn(b"Home Street", data)

    def test_the_stored_name_follows_the_content(self):
        png = image_bytes("PNG", size=(60, 40))
        article = make_article(cover=upload("misnamed.jpg", png, "image/jpeg"))
        self.assertTrue(article.cover.name.endswith("/misnamed.png"), article.cover.name)
        self.assertEqual(stored(article)[1].format, "PNG")

    def test_an_animation_keeps_its_frames(self):
        frames = [Image.new("RGB", (40, 30), color) for color in ("red", "green", "blue")]
        buffer = io.BytesIO()
        frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
        article = make_article(cover=upload("loop.gif", buffer.getvalue(), "image/gif"))
        self.assertEqual(stored(article)[1].n_frames, 3)


@override_settings(MAX_IMAGE_PIXELS=40_000_000)
class UploadRefusalTests(MediaRootMixin, TestCase):
    def refused(self, file):
        with self.assertRaises(ValidationError) as raised:
            validate_cover(file)
        return " ".join(raised.exception.messages)

    def test_a_png_named_pdf_or_eps_is_refused(self):
        png = image_bytes("PNG", size=(60, 40))
        for name in ("report.pdf", "figure.eps", "page.html", "noextension"):
            with self.subTest(name=name):
                self.assertIn("files cannot be covers", self.refused(upload(name, png, "application/pdf")))

    def test_an_upload_over_the_size_cap_is_refused_by_the_app(self):
        big = upload("huge.jpg", b"\\xff\\xd8" + b"\\0" * (5 * 1024 * 1024))
        self.assertIn("covers may be at most 5 MB", self.refused(big))

    @override_settings(MAX_IMAGE_PIXELS=1_000_000)
    def test_the_pixel_bound_counts_every_frame_of_an_animation(self):
        frames = [Image.new("RGB", (500, 500), (n * 20, 0, 0)) for n in range(5)]
        buffer = io.BytesIO()
        frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
        message = self.refused(upload("long.gif", buffer.getvalue(), "image/gif"))
        self.assertIn("500 × 500 pixels × 5 frames", message)

    def test_the_admin_form_shows_the_refusal_and_stores_nothing(self):
        from django.contrib.auth.models import User

        self.client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
        article = make_article(status="draft", published_on=None)
        page = self.client.get(f"/admin/articles/article/{article.pk}/change/")
        self.assertEqual(page.status_code, 200)
        form = page.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields if name != "cover"}
        data = {k: v for k, v in data.items() if not isinstance(v, list)}
        png = io.BytesIO(image_bytes("PNG", size=(60, 40)))
        png.name = "report.pdf"
        response = self.client.post(f"/admin/articles/article/{article.pk}/change/", {**data, "cover": png})
        self.assertContains(response, "“.pdf” files cannot be covers")
        article.refresh_from_db()
        self.assertFalse(article.cover)


class ShareImageTests(MediaRootMixin, TestCase):
    def test_og_image_and_json_ld_point_at_a_rendition_not_the_original(self):
        article = make_article(cover=upload("holiday.jpg", camera_jpeg()), cover_alt="A harbour")
        manifest = cover_renditions_make(article_id=article.pk)
        largest = default_storage.url(manifest["sources"][-1]["jpeg"])
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, f'<meta property="og:image" content="http://127.0.0.1:8000{largest}">')
        self.assertContains(page, f'"image":"http://127.0.0.1:8000{largest}"')
        self.assertNotContains(page, article.cover.url)
        # A claim's page is shared with its article's cover.
        claim_page = self.client.get(make_claim(article=article, is_primary=True).get_absolute_url())
        self.assertContains(claim_page, f'<meta property="og:image" content="http://127.0.0.1:8000{largest}">')
        self.assertContains(claim_page, '<meta property="og:image:alt" content="A harbour">')
        self.assertNotContains(claim_page, article.cover.url)
