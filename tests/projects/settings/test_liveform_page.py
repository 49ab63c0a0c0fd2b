"""Settings › Liveform Customization: the result page's picture and texts per status and language."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import AuditEvent, ResultPageText, Role
from tests.projects.settings.helpers import member_client, other_project_owner_client, page_url

URL = "settings/liveform/"
PENDING = f"{URL}?status=pending&language=en"


def picture(fmt: str = "PNG", size: tuple[int, int] = (1200, 600), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, (20, 120, 200)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _post(client, project, suffix: str = PENDING, data: bytes | None = None, **fields: str):
    payload: dict[str, object] = {"main_text": "", "sub_text": "", **fields}
    if data is not None:
        payload["picture"] = SimpleUploadedFile("logo.png", data, content_type="image/png")
    return client.post(page_url(project, suffix), payload)


def _rows(project) -> list[tuple[str, str, str, str, str]]:
    rows = ResultPageText.objects.filter(project=project).order_by("status", "language")
    return [(r.status, r.language, r.main_text, r.sub_text, r.image_content_type) for r in rows]


def test_it_shows_the_built_in_wording_in_the_preview_and_every_status(project, dashboard_client):
    page = dashboard_client.get(page_url(project, PENDING)).content.decode()

    assert (
        f'<a href="/dashboard/p/{project.pid}/settings/liveform/?status=pending&amp;language=en" aria-current="page">Pending</a>'
        in page
    )
    assert "?status=approved&amp;language=en" in page
    assert "?status=rejected&amp;language=en" in page
    assert '<h3 id="preview-main">We are checking your documents</h3>' in page
    assert '<img id="preview-picture" alt="" hidden>' in page
    assert "/static/projects/result-preview.js" in page


def test_it_saves_the_texts_and_a_re_encoded_picture_and_logs_them(project, dashboard_client):
    # when: a 1200×600 PNG with a text chunk
    response = _post(dashboard_client, project, data=picture(pnginfo=_png_text()), main_text="Almost there",
                     sub_text="We will e-mail you within a day.")  # fmt: skip
    # then
    assert response.status_code == 302
    assert _rows(project) == [("pending", "en", "Almost there", "We will e-mail you within a day.", "image/png")]
    stored = Image.open(io.BytesIO(bytes(ResultPageText.objects.get().image)))
    assert (stored.format, stored.size, stored.mode) == ("PNG", (800, 400), "RGBA")
    assert "secret" not in stored.info
    event = AuditEvent.objects.get(project=project, action="liveform.result_page_changed")
    assert (event.target_type, event.target_id) == ("result_page", "pending/en")
    assert event.details == {
        "changed": ["main_text", "sub_text", "image"],
        "before": {"main_text": "", "sub_text": "", "image": False},
        "after": {"main_text": "Almost there", "sub_text": "We will e-mail you within a day.", "image": True},
    }
    page = dashboard_client.get(page_url(project, PENDING)).content.decode()
    assert '<h3 id="preview-main">Almost there</h3>' in page
    assert 'src="data:image/png;base64,' in page


def test_empty_texts_and_no_picture_bring_the_built_in_page_back(project, dashboard_client):
    # given
    _post(dashboard_client, project, main_text="Almost there")
    # when
    _post(dashboard_client, project, remove_picture="on")
    # then
    assert _rows(project) == []
    assert AuditEvent.objects.filter(action="liveform.result_page_changed").count() == 2


def test_a_text_too_long_or_a_file_that_is_no_picture_is_refused(project, dashboard_client):
    # given
    _post(dashboard_client, project, main_text="Almost there")
    # when
    too_long = _post(dashboard_client, project, main_text="x" * 126)
    not_a_picture = _post(dashboard_client, project, data=b"GIF89a" + b"\0" * 100, main_text="New")
    damaged = _post(dashboard_client, project, data=picture()[:200], main_text="New")
    # then
    assert too_long.status_code == 400
    assert "Ensure this value has at most 125 characters (it has 126)." in too_long.content.decode()
    assert "Upload a JPEG or PNG picture." in not_a_picture.content.decode()
    assert "The picture file is damaged or incomplete." in damaged.content.decode()
    assert _rows(project) == [("pending", "en", "Almost there", "", "")]
    assert AuditEvent.objects.filter(action="liveform.result_page_changed").count() == 1


def test_a_picture_over_2_mb_is_refused(project, dashboard_client):
    big = picture("PNG") + b"\0" * (2 * 1024 * 1024)

    response = _post(dashboard_client, project, data=big, main_text="New")

    assert "The picture is larger than 2 MB." in response.content.decode()
    assert _rows(project) == []


def test_a_viewer_sees_the_page_but_cannot_change_it(project):
    # given
    client = member_client(project, Role.VIEWER)
    # when
    refused = _post(client, project, main_text="Hacked")
    # then
    assert refused.status_code == 403
    assert _rows(project) == []
    page = client.get(page_url(project, PENDING)).content.decode()
    assert "Only project owners can change these settings." in page
    assert 'enctype="multipart/form-data"' not in page


def test_another_projects_owner_gets_404(project):
    client = other_project_owner_client()

    responses = [client.get(page_url(project, PENDING)), _post(client, project, main_text="Hacked")]

    assert [r.status_code for r in responses] == [404, 404]
    assert _rows(project) == []


def _png_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("secret", "kept out")
    return info
