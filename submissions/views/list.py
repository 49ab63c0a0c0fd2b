"""The User Submissions list: filters and one search box (e-mail, userid, submission id or name;
``submissions.forms.keyword_kind``), newest or oldest first, keyset pages (no OFFSET), and the
"Export CSV" form carrying the same filters (``submissions.views.export``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.access import otp_required, project_membership
from submissions.forms import SubmissionFilterForm, cursor_encode
from submissions.selectors import NAME_SCAN_ROWS, SubmissionPage, submission_search

PAGE_SIZE = 50


def page_links(request: HttpRequest, page: SubmissionPage) -> dict[str, Any]:
    """Query strings of the first page and of the next one (the cursor moved past the page's
    last row), the other filters kept."""
    params = request.GET.copy()
    params.pop("after", None)
    links: dict[str, Any] = {"first_query": params.urlencode(), "paged": bool(request.GET.get("after"))}
    links["next_query"] = None
    if page.next_key is not None:
        params["after"] = cursor_encode(page.next_key.created_at, page.next_key.pk)
        links["next_query"] = params.urlencode()
    return links


@otp_required
def submission_list_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    form = SubmissionFilterForm(request.GET)
    page = submission_search(project=membership.project, filters=form.filters(), count=PAGE_SIZE, after=form.cursor())
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "page": page,
        "name_scan_rows": NAME_SCAN_ROWS,
        "export_params": [(name, value) for name, values in request.GET.lists() if name != "after" for value in values],
        **page_links(request, page),
    }
    return render(request, "dashboard/submissions/list.html", context)
