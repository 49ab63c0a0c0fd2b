"""Settings › Supported ID Types: a per-country CSV upload with a validation report, and download."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from policy.selectors import policy_settings_get
from projects.models import AuditEvent, Role
from tests.projects.settings.helpers import member_client, other_project_owner_client, page_url

URL = "settings/policy/id-types/"


def _upload(client, project, text: str | bytes, mode: str = "countries"):
    data = text.encode() if isinstance(text, str) else text
    upload = SimpleUploadedFile("types.csv", data, content_type="text/csv")
    return client.post(page_url(project, URL), {"csv_file": upload, "mode": mode}, follow=True)


def _table(project) -> tuple[tuple[str, str], ...]:
    return policy_settings_get(project).allowed_id_types.entries


def test_it_shows_the_table_by_country_and_downloads_it_as_csv(project, dashboard_client):
    # given
    _upload(dashboard_client, project, "country,id_type\nKOR,passport\nKOR,drivers_license\n*,passport\n")
    # when
    page = dashboard_client.get(page_url(project, URL)).content.decode()
    download = dashboard_client.get(page_url(project, f"{URL}download/"))
    # then
    assert '<td class="mono">KOR</td><td>drivers_license, passport</td>' in page
    assert '<td class="mono">*</td><td>passport</td>' in page
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="supported-id-types-{project.pid}.csv"'
    assert download.content.decode() == "country,id_type\n*,passport\nKOR,drivers_license\nKOR,passport\n"


def test_an_upload_replaces_only_the_countries_it_lists_and_is_logged(project, dashboard_client):
    # given
    _upload(dashboard_client, project, "country,id_type\nKOR,passport\nUSA,passport\n")
    # when: a spreadsheet's file, with its byte-order mark and CRLF
    response = _upload(
        dashboard_client, project, "\ufeffcountry,id_type\r\nKOR,government_id\r\nKOR,drivers_license\r\n"
    )
    # then
    assert "Saved." in response.content.decode()
    assert _table(project) == (("KOR", "drivers_license"), ("KOR", "government_id"), ("USA", "passport"))
    event = AuditEvent.objects.filter(project=project, action="project.settings_changed").order_by("-sequence")[0]
    assert event.details == {
        "changed": ["policy_allowed_id_types"],
        "before": {"policy_allowed_id_types": ["KOR,passport", "USA,passport"]},
        "after": {"policy_allowed_id_types": ["KOR,drivers_license", "KOR,government_id", "USA,passport"]},
    }


def test_replacing_the_whole_table_drops_the_countries_not_in_the_file(project, dashboard_client):
    # given
    _upload(dashboard_client, project, "country,id_type\nKOR,passport\nUSA,passport\n")
    # when
    _upload(dashboard_client, project, "country,id_type\nJPN,passport\n", mode="all")
    # then
    assert _table(project) == (("JPN", "passport"),)


def test_a_file_with_a_bad_line_shows_the_report_and_saves_nothing(project, dashboard_client):
    # given
    _upload(dashboard_client, project, "country,id_type\nKOR,passport\n")
    events = AuditEvent.objects.count()
    # when: lines 3 and 4 are wrong, lines 2 and 5 fine
    response = _upload(
        dashboard_client, project, "country,id_type\nKOR,visa\nKR,passport\nUSA,ticket,x\nUSA,passport\n"
    )
    # then
    text = response.content.decode()
    assert response.status_code == 400
    assert "<h2>The file was not saved</h2>" in text
    assert (
        "<td>3</td><td>country</td><td>country &#x27;KR&#x27; is not an ISO 3166-1 alpha-3 code or &#x27;*&#x27;</td>"
        in text
    )
    assert "<td>4</td><td>—</td><td>expected 2 values (country,id_type), found 3</td>" in text
    assert _table(project) == (("KOR", "passport"),)
    assert AuditEvent.objects.count() == events


def test_a_file_that_is_not_utf8_text_is_refused(project, dashboard_client):
    response = _upload(dashboard_client, project, b"country,id_type\nKOR,passport\nG\xe9O,passport\n")

    assert "<td>3</td><td>—</td><td>not UTF-8 text: save the file as CSV UTF-8</td>" in response.content.decode()
    assert _table(project) == ()


def test_a_viewer_sees_the_table_but_cannot_upload(project):
    # given
    client = member_client(project, Role.VIEWER)
    # when
    upload = SimpleUploadedFile("types.csv", b"country,id_type\nKOR,passport\n", content_type="text/csv")
    refused = client.post(page_url(project, URL), {"csv_file": upload, "mode": "all"})
    # then
    assert refused.status_code == 403
    assert _table(project) == ()
    assert client.get(page_url(project, f"{URL}download/")).status_code == 200
    assert 'enctype="multipart/form-data"' not in client.get(page_url(project, URL)).content.decode()


def test_another_projects_owner_gets_404(project):
    # given
    client = other_project_owner_client()
    # when
    upload = SimpleUploadedFile("types.csv", b"country,id_type\nKOR,passport\n", content_type="text/csv")
    responses = [
        client.get(page_url(project, URL)),
        client.get(page_url(project, f"{URL}download/")),
        client.post(page_url(project, URL), {"csv_file": upload, "mode": "all"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _table(project) == ()


def test_a_file_over_256_kb_is_refused_unread(project, dashboard_client):
    big = "country,id_type\n" + "# filler line\n" * 20_000

    response = _upload(dashboard_client, project, big)

    assert "<td>1</td><td>—</td><td>the file is larger than 256 kB</td>" in response.content.decode()
    assert _table(project) == ()
