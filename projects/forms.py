"""Dashboard forms: they validate shape; services decide and act."""

from __future__ import annotations

from django import forms

from projects.models import Role
from projects.models.result_pages import MAIN_TEXT_MAX, SUB_TEXT_MAX
from projects.services.credits import MAX_TOP_UP


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "maxlength": 7}
        ),
    )

    def cleaned_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()


class ConfirmWithCodeForm(OtpForm):
    """A fresh TOTP code that confirms a sensitive action (sudo mode) on a busy page."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].widget.attrs.pop("autofocus", None)

    def confirms(self, user: object) -> bool:
        """A valid code of ``user``'s confirmed device, not used before; a wrong one lands on the form."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not self.is_valid():
            return False
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None or not device.verify_token(self.cleaned_code()):
            self.add_error("code", "That code is not right, or was already used. Wait for the next one.")
            return False
        return True


class InviteForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=150, required=False, help_text="Needed when the person has no account yet.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=12)
    password_again = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class TopUpForm(forms.Form):
    amount = forms.IntegerField(
        min_value=-MAX_TOP_UP, max_value=MAX_TOP_UP, help_text="Negative amounts correct an earlier top-up."
    )
    note = forms.CharField(max_length=200, required=False)


class ProjectCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    owner_email = forms.EmailField(required=False, help_text="An existing user; leave empty to own it yourself.")
    credits = forms.IntegerField(min_value=0, max_value=MAX_TOP_UP, initial=0)


class SettingsForm(forms.Form):
    """One text field per registered project setting, parsed and validated by the registry."""

    def __init__(self, *args: object, settings_list: list, project: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.settings_list = settings_list
        for setting in settings_list:
            value = setting.read(project)
            common = {"label": setting.label, "help_text": setting.help, "initial": setting.render(value)}
            if setting.choices:
                self.fields[setting.key] = forms.ChoiceField(choices=setting.choices, **common)
            else:
                widget = forms.Textarea(attrs={"rows": 3}) if isinstance(value, list) else None
                self.fields[setting.key] = forms.CharField(required=False, widget=widget, **common)

    def parsed_changes(self) -> dict[str, object]:
        changes: dict[str, object] = {}
        for setting in self.settings_list:
            try:
                changes[setting.key] = setting.parse(self.cleaned_data.get(setting.key, ""))
            except forms.ValidationError as exc:
                self.add_error(setting.key, exc)
        return changes


class ResultPageForm(forms.Form):
    """The result page of one status and language; the service checks the lengths and the picture."""

    main_text = forms.CharField(
        label="Main text", max_length=MAIN_TEXT_MAX, required=False,
        help_text=f"At most {MAIN_TEXT_MAX} characters. Empty: the built-in heading.",
        widget=forms.TextInput(attrs={"data-preview": "main"}),
    )  # fmt: skip
    sub_text = forms.CharField(
        label="Sub text", max_length=SUB_TEXT_MAX, required=False,
        help_text=f"At most {SUB_TEXT_MAX} characters. Empty: the built-in message.",
        widget=forms.TextInput(attrs={"data-preview": "sub"}),
    )  # fmt: skip
    picture = forms.FileField(
        label="Picture", required=False,
        help_text="JPEG or PNG, at most 2 MB; shown at most 800 pixels wide. Empty: keep the current one.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "data-preview": "picture"}),
    )  # fmt: skip
    remove_picture = forms.BooleanField(label="Remove the current picture", required=False)
