"""The address injection's pages (``action=addveri``, spec §6.6): the address step, the wait
while the worker checks it, and the outcome (docs/liveform.md, "Address injection")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from idcheck.lib.netaddr import client_address
from projects.models import Project, ProjectStatus
from submissions.flow.countries import COUNTRY_NAMES, SPECIMEN_COUNTRY
from submissions.flow.forms import InjectionAddressForm
from submissions.flow.injection import (
    InjectionLink,
    InjectionState,
    injection_load,
    injection_save,
    injection_start,
)
from submissions.flow.views.common import ERROR_PROJECT_KEY, error_redirect, load_flow
from submissions.injection import BLACKLIST, DISTANCE, IP_RISK, DeclaredAddress, InjectionOptions
from submissions.models import InjectionState as Stored
from submissions.selectors import injectable_submission, injection_status
from submissions.services.create import ImageRefused
from submissions.services.injection import InjectionRefused, submission_injection_request

# What the person reads on the failure page (spec §6.6's user messages).
FAILURE_MESSAGES = {
    IP_RISK: _("Please turn off your VPN or proxy, then try again."),
    DISTANCE: _("Address verification failed. Please try again from a network near your residence."),
    BLACKLIST: _("Address verification failed. Addresses in this country cannot be accepted."),
}
CHECKING_REFRESH_SECONDS = 2

InjectionView = Callable[[HttpRequest, InjectionState, Project], HttpResponse]


def injection_begin(request: HttpRequest, link: InjectionLink) -> HttpResponse:
    """Start the flow of a checked link; ``Invalid submissionId`` when the submission cannot
    take an injection (unknown, another project's, not from the Liveform, not decided as
    approved or pending, deleted)."""
    if injectable_submission(project=link.project, submission_id=link.submission_id) is None:
        request.session[ERROR_PROJECT_KEY] = link.project.pk
        return error_redirect("injection-invalid-submission")
    injection_start(request.session, link)
    return HttpResponseRedirect(reverse("liveform:injection-address"))


def _injection_step(view: InjectionView) -> Callable[[HttpRequest], HttpResponse]:
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        loaded = load_flow(request, injection_load, missing_project="injection-invalid-project")
        return loaded if isinstance(loaded, HttpResponse) else view(request, state=loaded[0], project=loaded[1])

    return wrapped


def _countries(project: Project) -> list[tuple[str, str]]:
    choices = sorted(((code, str(name)) for code, name in COUNTRY_NAMES.items()), key=lambda item: item[1])
    if project.status == ProjectStatus.TEST:
        choices.append((SPECIMEN_COUNTRY, str(_("Utopia (specimen documents)"))))
    return choices


def _page(request: HttpRequest, template: str, state: InjectionState, project: Project, status: int = 200,
          **context: object) -> HttpResponse:  # fmt: skip
    return render(request, template, {"project": project, "flow": state.flow, "state": None, **context}, status=status)


@require_http_methods(["GET", "POST"])
@_injection_step
def address(request: HttpRequest, state: InjectionState, project: Project) -> HttpResponse:
    """The declared address and its proof; valid, they go to the worker's checks."""
    if state.injection_id is not None:
        return HttpResponseRedirect(reverse("liveform:injection-result"))
    countries = _countries(project)
    if request.method == "GET":
        form = InjectionAddressForm(countries=countries)
        return _page(request, "liveform/injection_address.html", state, project, form=form)
    form = InjectionAddressForm(request.POST, request.FILES, countries=countries)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        declared = DeclaredAddress(street=data["street"].strip(), city=data["city"].strip(),
                                   postal_code=data["postal_code"].strip(), country=data["country"])  # fmt: skip
        try:
            injection = submission_injection_request(
                project=project, submission_id=state.submission_id, address=declared,
                image=data["photo"].read(), ip=_client_ip(request), options=InjectionOptions.from_json(state.options),
                echo=state.echo,
            )  # fmt: skip
        except ImageRefused as refusal:
            error = refusal.message.partition(": ")[2] or refusal.message
        except InjectionRefused as refusal:
            request.session[ERROR_PROJECT_KEY] = project.pk
            page = "injection-invalid-submission" if refusal.code == "invalid_submission" else "injection-error"
            return error_redirect(page)
        else:
            state.injection_id, state.attempts = injection.pk, state.attempts + 1
            injection_save(request.session, state)
            return HttpResponseRedirect(reverse("liveform:injection-result"))
    missing = any(error.code == "required" for errors in form.errors.as_data().values() for error in errors)
    return _page(request, "liveform/injection_address.html", state, project, status=400, form=form, error=error,
                 missing=missing)  # fmt: skip


def _client_ip(request: HttpRequest) -> str:
    found = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
    return str(found) if found else ""


@require_GET
@_injection_step
def result(request: HttpRequest, state: InjectionState, project: Project) -> HttpResponse:
    """While the worker checks, a wait page that reloads itself (no script); then the outcome."""
    if state.injection_id is None:
        return HttpResponseRedirect(reverse("liveform:injection-address"))
    stored, fail_code = injection_status(project=project, injection_id=state.injection_id)
    if stored == Stored.QUEUED:
        return _page(request, "liveform/injection_checking.html", state, project, refresh=CHECKING_REFRESH_SECONDS)
    if stored != Stored.COMPLETED and fail_code is None:  # dropped: the submission was deleted meanwhile
        request.session[ERROR_PROJECT_KEY] = project.pk
        return error_redirect("injection-error")
    return _page(request, "liveform/injection_result.html", state, project, completed=stored == Stored.COMPLETED,
                 message=FAILURE_MESSAGES.get(fail_code or "", ""), can_retry=state.can_retry)  # fmt: skip


@require_POST
@_injection_step
def retry(request: HttpRequest, state: InjectionState, project: Project) -> HttpResponse:
    """Back to the address step after a failure, while attempts are left."""
    if state.injection_id is not None and state.can_retry:
        stored, _code = injection_status(project=project, injection_id=state.injection_id)
        if stored == Stored.FAILED:
            state.injection_id = None
            injection_save(request.session, state)
    return HttpResponseRedirect(reverse("liveform:injection-address"))
